internal import Hummingbird

/// The website widget and the ops dashboard: files of this repository (`Sources/UsherHTTP/Public`), compiled into
/// the binary by the EmbedFolders plugin and served from memory. The dashboard's policy lets it load nothing
/// from anywhere but Usher.
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
        for entry in Self.routes {
            // Every file of Public is compiled in; a route naming another is a broken build, not a runtime condition.
            guard let contents = PublicFiles.contents[entry.file] else {
                preconditionFailure("Public/\(entry.file) is not compiled into UsherHTTP")
            }
            let bytes = contents.withUTF8Buffer { ByteBuffer(bytes: $0) }
            files[entry.route] = File(bytes: bytes, contentType: entry.type)
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
