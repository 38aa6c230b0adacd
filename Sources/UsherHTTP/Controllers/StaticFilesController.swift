internal import Foundation
internal import Hummingbird

/// The website widget and the ops dashboard: files of this repository (`Sources/UsherHTTP/Public`), read once at
/// start-up and served from memory. The dashboard's policy lets it load nothing from anywhere but Usher.
struct StaticFilesController {
    struct File {
        let bytes: ByteBuffer
        let contentType: String
    }

    let files: [String: File]

    /// Route → file in `Public`, and its content type.
    static let routes: [(route: String, file: String, type: String)] = [
        ("v1/widget.js", "widget.js", "text/javascript; charset=utf-8"),
        ("dashboard", "dashboard/index.html", "text/html; charset=utf-8"),
        ("dashboard/app.js", "dashboard/app.js", "text/javascript; charset=utf-8"),
        ("dashboard/style.css", "dashboard/style.css", "text/css; charset=utf-8"),
    ]

    init() {
        var files: [String: File] = [:]
        let root = Bundle.module.resourceURL!.appendingPathComponent("Public")
        for entry in Self.routes {
            // The files ship inside the build; a missing one is a broken build, not a runtime condition.
            let data = try! Data(contentsOf: root.appendingPathComponent(entry.file))
            files[entry.route] = File(bytes: ByteBuffer(bytes: data), contentType: entry.type)
        }
        self.files = files
    }

    func addRoutes(to router: Router<UsherRequestContext>) {
        for (route, file) in self.files {
            router.get(RouterPath(route)) { _, _ in
                var headers: HTTPFields = [.contentType: file.contentType, .cacheControl: "no-cache"]
                if route.hasPrefix("dashboard") {
                    headers[.contentSecurityPolicy] = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"
                    headers[.xContentTypeOptions] = "nosniff"
                }
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: file.bytes))
            }
        }
    }
}
