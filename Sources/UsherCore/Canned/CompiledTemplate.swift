internal import Foundation
internal import Mustache

/// A canned message's template, parsed once and checked against the variables Usher provides.
///
/// Output is plain text: the visitor's browser shows it as text, so nothing is HTML-escaped and no value is ever
/// interpreted as markup or as a template. Partials, blocks, delimiter changes and pragmas are refused: a template
/// is a message, not a program, and with the delimiters fixed every tag is visible in the text.
struct CompiledTemplate: Sendable {
    private let template: MustacheTemplate

    init(_ source: String) throws(CoreError) {
        for tag in ["{{>", "{{<", "{{$", "{{=", "{{%"] where source.contains(tag) {
            throw .invalid(field: "template", message: "\(tag)…}} tags (partials, blocks, delimiters, pragmas) are not supported")
        }
        // Dotted names would look into a variable's value, and a probe cannot tell them from names in a section.
        for tag in Self.tags(in: source) where tag != "." && !tag.hasPrefix("!") && tag.contains(".") {
            throw .invalid(field: "template", message: "{{\(tag)}}: dotted names are not supported")
        }
        let pragma = "{{% CONTENT_TYPE: TEXT}}"
        do {
            self.template = try MustacheTemplate(string: pragma + source)
        } catch let error as MustacheTemplate.ParserError {
            let line = error.context.lineNumber
            // Positions on the first line count the pragma in front of the ops' text.
            let column = line == 1 ? max(1, error.context.columnNumber - pragma.count) : error.context.columnNumber
            throw .invalid(field: "template", message: "template does not parse (\(error.error)) at line \(line), column \(column)")
        } catch {
            throw .invalid(field: "template", message: "template does not parse: \(error)")
        }
        let unknown = self.namesUsed().subtracting(TemplateVariables.names)
        if let name = unknown.sorted().first {
            let known = TemplateVariables.names.sorted().joined(separator: ", ")
            throw .invalid(field: "template", message: "template names an unknown variable \(name); known: \(known)")
        }
    }

    /// The inside of every `{{…}}` tag, trimmed; fixed delimiters make this exact.
    private static func tags(in source: String) -> [String] {
        var tags: [String] = []
        var rest = source[...]
        while let open = rest.range(of: "{{"), let close = rest.range(of: "}}", range: open.upperBound..<rest.endIndex) {
            let inside = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: CharacterSet(charactersIn: "{}&#^/ \t"))
            tags.append(inside)
            rest = rest[close.upperBound...]
        }
        return tags
    }

    func render(_ variables: TemplateVariables) -> String {
        self.template.render(variables.values)
    }

    /// Every name the template looks up, found by rendering it twice with a recording context: once with every
    /// variable present (sections open) and once with none (inverted sections open), so no branch stays unseen.
    private func namesUsed() -> Set<String> {
        let recorder = NameRecorder()
        _ = self.template.render(NameProbe(recorder: recorder, present: true))
        _ = self.template.render(NameProbe(recorder: recorder, present: false))
        return recorder.names
    }
}

/// Collects the names a probe is asked for; used only while a template is checked, on one thread.
private final class NameRecorder: @unchecked Sendable {
    var names: Set<String> = []
}

/// Answers every top-level lookup, recording the name. A section opens on a plain string, so names inside it climb
/// back to the probe and are recorded too.
private struct NameProbe: MustacheParent {
    let recorder: NameRecorder
    let present: Bool

    func child(named name: String) -> Any? {
        self.recorder.names.insert(name)
        return self.present ? "1" : nil
    }
}
