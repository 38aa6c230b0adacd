import Foundation
import Testing

@testable import UsherCore

@Suite("site settings")
struct SiteSettingsTests {
    @Test("every numeric setting has a row in fields under the name JSON gives it, with its default in range and in the scripts' defaults")
    func fieldsCoverEveryNumber() throws {
        let encoded = try JSONEncoder().encode(SiteSettings.defaults)
        let json = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any])
        let numbers = json.filter { !($0.value is [Any]) && !($0.value is [String: Any]) }
        #expect(Set(numbers.keys) == Set(SiteSettings.fields.map(\.name)))
        for field in SiteSettings.fields {
            let value = try #require(numbers[field.name] as? Int, "\(field.name)")
            #expect(SiteSettings.defaults[setting: field.name] == value)
            #expect(field.range.contains(value), "\(field.name)")
            #expect(SiteSettings.luaDefaults.contains("\(field.name) = \(value),") || SiteSettings.luaDefaults.contains("\(field.name) = \(value) }"))
        }
    }
}
