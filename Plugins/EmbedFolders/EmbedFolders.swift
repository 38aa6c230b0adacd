import Foundation
import PackagePlugin

/// Compiles a target's embedded folders into it as string constants, so that the executable runs with nothing beside
/// it (the production image copies the binary alone): UsherHTTP's `Public` as `PublicFiles.contents`, UsherCore's
/// `Lua` as `LuaFiles.contents`. Each folder stays the only copy in the repository (excluded from the target's
/// sources in Package.swift); the generated source lives in the build folder.
@main
struct EmbedFolders: BuildToolPlugin {
    /// Folder of a target → the enum generated from it.
    static let folders = [("Lua", "LuaFiles"), ("Public", "PublicFiles")]

    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let tool = try context.tool(named: "EmbedFiles").url
        return try Self.folders.compactMap { folder, name in
            let root = target.directoryURL.appending(path: folder)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                return nil
            }
            let output = context.pluginWorkDirectoryURL.appending(path: "\(name).swift")
            // Listed on every build, so a file added to the folder is embedded without touching the package.
            let paths = try FileManager.default.subpathsOfDirectory(atPath: root.path)
                .filter { path in
                    var isDirectory: ObjCBool = false
                    let exists = FileManager.default.fileExists(atPath: root.appending(path: path).path, isDirectory: &isDirectory)
                    return exists && !isDirectory.boolValue && !path.split(separator: "/").contains { $0.hasPrefix(".") }
                }
                .sorted()
            return .buildCommand(
                displayName: "Embedding \(paths.count) files of \(target.name)/\(folder)",
                executable: tool,
                arguments: [name, root.path, output.path] + paths,
                inputFiles: paths.map { root.appending(path: $0) },
                outputFiles: [output]
            )
        }
    }
}
