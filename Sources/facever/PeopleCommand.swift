// PeopleCommand.swift — `facever people`: who is enrolled, and removing someone.
import ArgumentParser
import Foundation
import SiameseKit

struct PeopleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "people",
        abstract: "List the people enrolled for identify, or remove one.",
        discussion: """
            Examples:
              facever people
              facever people --json
              facever people --remove bob --yes
            """
    )

    @Option(help: "Remove this person and their photos (asks first on a terminal).")
    var remove: String?

    @Flag(help: "With --remove: do not ask.")
    var yes = false

    @Flag(help: "Print one JSON object per person: {\"name\", \"photos\"}.")
    var json = false

    @OptionGroup var options: DataOptions

    func run() throws {
        try reportingInputErrors {
            if let remove {
                let lock = try options.lockForWriting("people --remove")
                defer { withExtendedLifetime(lock) {} }
                guard let person = try People.list(in: options.layout).first(where: { $0.name == remove }) else {
                    throw InputError(path: People.folder(of: remove, in: options.layout).path,
                                     problem: "nobody called '\(remove)' is enrolled", nextStep: "see who is with `facever people`")
                }
                if !yes {
                    guard Console.standardInputIsTerminal else {
                        throw InputError(path: nil, problem: "not removing \(remove) without asking", nextStep: "give --yes to remove without asking")
                    }
                    print("remove \(TerminalText.escaped(remove)) and \(Console.count(person.photoCount, "photo"))? [y/N] ", terminator: "")
                    fflush(stdout)
                    guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
                        print("kept \(TerminalText.escaped(remove))")
                        return
                    }
                }
                try People.remove(remove, in: options.layout)
                print("removed \(TerminalText.escaped(remove)) (\(Console.count(person.photoCount, "photo")))")
                return
            }
            let people = try People.list(in: options.layout)
            if json {
                for person in people { print(Console.jsonLine(["name": person.name, "photos": person.photoCount])) }
                return
            }
            let width = people.map(\.name.count).max() ?? 0
            for person in people {
                print(TerminalText.escaped(person.name).padding(toLength: max(width, 4), withPad: " ", startingAt: 0)
                      + "  " + Console.count(person.photoCount, "photo"))
            }
            print("\(Console.count(people.count, "person", "people")) enrolled in \(TerminalText.escaped(options.layout.peopleFolder.path))")
        }
    }
}
