internal import Foundation

// Writes a Swift source holding the given files as string literals, so that a target can carry them inside its
// binary instead of a resource bundle that has to travel beside it. String literals rather than byte arrays: on a
// busy 2-core machine 30 KB of Public took 23 s to compile optimized as an array literal and under a second as a
// string literal. A literal holds text only, and every embedded file is UTF-8 text; any other file fails the build.
//
// usage: EmbedFiles NAME ROOT OUTPUT PATH... (the enum to generate; each PATH relative to ROOT)

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 4 else {
    FileHandle.standardError.write(Data("usage: EmbedFiles NAME ROOT OUTPUT PATH...\n".utf8))
    exit(2)
}
let name = arguments[0]
let root = URL(fileURLWithPath: arguments[1])
let output = URL(fileURLWithPath: arguments[2])
let paths = arguments.dropFirst(3)

/// `text` as a Swift string literal of printable ASCII only: every other scalar is written as `\u{…}`, so the
/// literal's UTF-8 is exactly the file's bytes whatever the compiler does with line ends, tabs or invisible
/// characters in source.
func literal(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\\": result += "\\\\"
        case "\"": result += "\\\""
        case " "..."~": result.unicodeScalars.append(scalar)
        default: result += "\\u{\(String(scalar.value, radix: 16))}"
        }
    }
    return result + "\""
}

var source = """
    // Generated at build time by the EmbedFolders plugin from the target's \(root.lastPathComponent) folder; edit those files.

    enum \(name) {
        /// Path relative to \(root.lastPathComponent) → the file's bytes.
        static let contents: [String: StaticString] = [

    """
for path in paths {
    let bytes = try Data(contentsOf: root.appendingPathComponent(path))
    guard let text = String(validating: bytes, as: UTF8.self) else {
        FileHandle.standardError.write(Data("EmbedFiles: \(path) is not UTF-8 text\n".utf8))
        exit(1)
    }
    source += "        \(literal(path)): \(literal(text)),\n"
}
source += "    ]\n}\n"
try Data(source.utf8).write(to: output, options: .atomic)
