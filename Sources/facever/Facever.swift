// Facever.swift — the root command: configuration only; each subcommand lives in its own file.
import ArgumentParser

@main
struct Facever: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "facever",
        abstract: "Face verification with a Siamese network (Koch et al. 2015), trained from the terminal.",
        version: "0.1.0",
        subcommands: [QuickstartCommand.self]
    )
}
