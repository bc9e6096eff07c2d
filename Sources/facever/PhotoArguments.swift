// PhotoArguments.swift — photos named on a command line (`enroll NAME PHOTOS…`, `identify IMAGES…`,
// `verify IMAGES…`): files, or folders searched recursively. Folders that hold no photo facever reads are an
// error; files in formats it does not read (a phone's HEIC) are named in one warning, not passed over in silence.
import Foundation
import SiameseKit

enum PhotoArguments {
    /// What `paths` hold: the photos, and the files in formats facever does not read.
    static func listing(_ paths: [String]) throws -> PhotoListing {
        try DataLayout.photos(givenAs: paths.map { URL(fileURLWithPath: $0) })
    }

    /// `listing`'s photos (of `paths`); throws when there are none, warns about the files left out.
    static func photos(of listing: PhotoListing, given paths: [String]) throws -> [URL] {
        try listing.requirePhotos(from: paths.count == 1 ? URL(fileURLWithPath: paths[0]).path : paths.joined(separator: ", "))
        if let warning = PhotoListing.skippedWarning(for: listing.unreadFormats, below: paths.map(TerminalText.escaped).joined(separator: ", ")) {
            Console.warning(warning)
        }
        return listing.photos
    }

    /// `paths` with each folder replaced by the photos below it, for a command that answers every file it
    /// is given (verify): files stay as given, even missing or unreadable ones, so that each gets its answer.
    static func filesExpandingFolders(_ paths: [String]) throws -> [String] {
        var expanded: [String] = [], folders: [String] = [], notRead: [URL] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
                expanded.append(path)
                continue
            }
            let listing = try DataLayout.photosRecursively(in: URL(fileURLWithPath: path))
            try listing.requirePhotos(from: URL(fileURLWithPath: path).path)
            expanded += listing.photos.map(\.path)
            folders.append(path)
            notRead += listing.unreadFormats
        }
        if let warning = PhotoListing.skippedWarning(for: notRead, below: folders.map(TerminalText.escaped).joined(separator: ", ")) {
            Console.warning(warning)
        }
        return expanded
    }
}
