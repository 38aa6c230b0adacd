/// A script as Redis gets it: its Lua files one after the other, each line where it is in its file, so that a line
/// Redis names in an error (`user_script:N`, counted over the whole text) is told as the file's (`prelude.lua:N`).
/// Full-line comments are left empty lines (the contracts are for readers; Redis would keep a copy of the prelude's
/// in each of 24 scripts) and the placeholders are written out (`Script.expand`), both without moving a line.
struct ScriptText {
    let source: String
    /// Each file's name and its number of lines, in order.
    let files: [(name: String, lines: Int)]

    init(files names: [String]) {
        var whole = ""
        var files: [(name: String, lines: Int)] = []
        for name in names {
            var text = Script.file(name)
            if !text.hasSuffix("\n") { text += "\n" }
            files.append((name, text.reduce(0) { $1 == "\n" ? $0 + 1 : $0 }))
            whole += text
        }
        self.files = files
        self.source = Script.expand(whole.replacing(/^[ \t]*--.*$/.anchorsMatchLineEndings(), with: ""))
    }

    /// `file:line` of the text's line `line` (from 1), nil outside the text.
    func location(ofLine line: Int) -> String? {
        var first = 1
        for file in self.files {
            if line >= first && line < first + file.lines { return "\(file.name):\(line - first + 1)" }
            first += file.lines
        }
        return nil
    }

    /// A Redis error about this script with each line it names told as the file's line.
    func located(_ message: String) -> String {
        message.replacing(/@?user_script:([0-9]+)/) { match in
            Int(match.output.1).flatMap(self.location(ofLine:)) ?? String(match.output.0)
        }
    }
}
