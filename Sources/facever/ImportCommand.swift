// ImportCommand.swift — `facever import`: bring a folder of face photos into the data folder.
import ArgumentParser
import Foundation
import SiameseKit

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import face photos (an LFW-style tree or a flat folder) as \(StoredPhoto.side)×\(StoredPhoto.side) JPEGs.",
        discussion: """
            Each photo becomes the canonical crop (--crop face: the largest face, aligned by the eyes; \
            centre: the centred square, for face crops such as LFW's), \(StoredPhoto.side)×\(StoredPhoto.side), \
            stored as DATA/<class>/<name>-<hash>.jpg. Duplicates (same bytes as a photo imported before), \
            unreadable files and photos without a face are skipped and counted; files in formats facever does \
            not read (HEIC, GIF, AVIF, JPEG XL) are named in a warning, and a folder with no photo it reads, or \
            none of whose photos could be imported, is an error. Importing into negative \
            refuses your own photos (those in anchor, positive or verification). Ctrl-C finishes the current \
            photo and prints the summary.

            Examples:
              facever import ~/datasets/lfw --limit 3000 --crop centre
              facever import ~/me/gallery --into verification
            """
    )

    @Argument(help: "The folder to import from (searched recursively).")
    var source: String

    @Option(help: "The class to import into: anchor, positive, negative or verification.")
    var into: FaceClass = .negative

    @Option(help: "Import at most this many new photos.")
    var limit: Int?

    @OptionGroup var cropping: CropOptions

    @OptionGroup var options: DataOptions

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        let destination = options.layout.folder(into)
        let interrupt = InterruptFlag(message: "finishing the current photo")
        interrupt.install()
        let report = try reportingInputErrors {
            let lock = try options.lockForWriting("import")
            defer { withExtendedLifetime(lock) {} }
            let ownPhotos = into == .negative ? ImageImporter.ownPhotoHashes(in: options.layout) : []
            let progress = ProgressLine("importing", unit: "photos")
            defer { progress.clear() }
            return try ImageImporter.run(source: URL(fileURLWithPath: source), into: destination, limit: limit, refusing: ownPhotos,
                                         cropper: cropping.cropper(orElse: .face), decoder: .withCaptureFormats, shouldStop: { interrupt.isRaised },
                                         onProgress: progress.update) { skipped in
                progress.warning("skipped \(skipped)")
            }
        }
        print("imported \(Console.count(report.imported, "photo")) into \(TerminalText.escaped(destination.path)) "
              + "(\(report.duplicates) duplicates, \(report.unreadable.count) unreadable and \(report.withoutFace) without a face skipped, "
              + "\(report.examined) examined)"
              + (report.refused > 0 ? "; \(Console.count(report.refused, "photo")) of you refused (already in anchor, positive or verification)" : "")
              + (report.interrupted ? "; interrupted before the end" : ""))
        Console.warnOfSeveralFaces(in: report.withSeveralFaces, kept: "imported")
        if let warning = PhotoListing.skippedWarning(for: report.inFormatsNotRead, below: TerminalText.escaped(source)) {
            Console.warning(warning)
        }
        if report.interrupted { throw ExitCode(130) }
        // Photos examined and none of them taken (nor there already): a script must not read that as success.
        if report.examined > 0 && report.imported == 0 && report.duplicates == 0 && report.refused == 0 {
            let unreadable = report.unreadable.count
            try reportingInputErrors {
                throw InputError(path: URL(fileURLWithPath: source).path,
                                 problem: (report.examined == 1 ? "its one photo could not be imported"
                                              : "none of its \(report.examined) photos could be imported")
                                     + " (\(unreadable) unreadable, \(report.withoutFace) without a face)",
                                 nextStep: unreadable == 0 ? "for photos that are face crops already, import with --crop centre"
                                     : "see why in the warnings above")
            }
        }
    }
}
