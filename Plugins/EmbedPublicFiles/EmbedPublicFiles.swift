import Foundation
import PackagePlugin

/// Compiles the files of the target's `Public` folder into it as `PublicFiles.contents`, so the executable serves
/// them with nothing beside it: the production image copies the binary alone. `Public` stays the only copy in the
/// repository; the generated source lives in the build folder.
@main
struct EmbedPublicFiles: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let root = target.directoryURL.appending(path: "Public")
        let output = context.pluginWorkDirectoryURL.appending(path: "PublicFiles.swift")
        // Listed on every build, so a file added to Public is embedded without touching the package.
        let paths = try FileManager.default.subpathsOfDirectory(atPath: root.path)
            .filter { path in
                var isDirectory: ObjCBool = false
                let exists = FileManager.default.fileExists(atPath: root.appending(path: path).path, isDirectory: &isDirectory)
                return exists && !isDirectory.boolValue && !path.split(separator: "/").contains { $0.hasPrefix(".") }
            }
            .sorted()
        return [
            .buildCommand(
                displayName: "Embedding \(paths.count) files of \(target.name)/Public",
                executable: try context.tool(named: "EmbedFiles").url,
                arguments: [root.path, output.path] + paths,
                inputFiles: paths.map { root.appending(path: $0) },
                outputFiles: [output]
            )
        ]
    }
}
