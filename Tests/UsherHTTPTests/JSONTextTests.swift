import Foundation
import Testing

@testable import UsherHTTP

@Suite("JSON written by hand")
struct JSONTextTests {
    @Test("a string reads back as itself, whatever it holds")
    func strings() throws {
        for value in ["", "plain", "a \"quoted\" word", #"back\slash"#, "line\nbreak\ttab\u{0}nul\u{1f}", "caf\u{e9} \u{1F600}", "</script>"] {
            var json = JSONText()
            json.append("[")
            json.append(string: value)
            json.append("]")
            let data = Data(json.buffer.readableBytesView)
            #expect(try JSONDecoder().decode([String].self, from: data) == [value], "\(value)")
        }
    }
}
