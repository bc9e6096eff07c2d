// PhotoArguments.swift — photos named on a command line (`enroll NAME PHOTOS…`, `identify IMAGES…`): files,
// or folders searched recursively. Folders that hold no photo facever reads are an error; files in formats
// it does not read (a phone's HEIC) are named in one warning, not passed over in silence.
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
}
