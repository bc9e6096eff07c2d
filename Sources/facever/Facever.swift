// Facever.swift — the root command: configuration only; each subcommand lives in its own file.
//
// Exit status of every command: 0 success, 1 a verify that did not verify every probe,
// 2 a usage or input error (one line on stderr naming the file), 130 training interrupted and saved.
import ArgumentParser
import SiameseKit

@main
struct Facever: ParsableCommand {
    /// Tunes the allocator for the engine's large arrays (MemoryTuning), ends OpenBLAS's idle threads
    /// (OpenBLASThreads), then runs the command.
    static func main() {
        MemoryTuning.keepLargeBlocksInTheHeap()
        OpenBLASThreads.endIdleThreads()
        main(nil)
    }

    static let configuration = CommandConfiguration(
        commandName: "facever",
        abstract: "Face verification with a Siamese network (Koch et al. 2015), trained from the terminal.",
        discussion: """
            The workflow, in the order you live it:
              facever collect --camera 0                  your anchors, positives, gallery
              facever import ~/lfw --into negative        other people's faces
              facever import ~/me/anchors --into anchor   your own photos (or capture them)
              facever import ~/me/positives --into positive
              facever import ~/me/gallery --into verification
              facever augment                             anchors, positives augmented ×9
              facever train --epochs 50                   the Siamese network, 70/30 split
              facever evaluate                            its figures on the held-out 30 %
              facever verify probe.jpg                    you or not, against your gallery
              facever model info                          the model, thresholds and sources

            Who is it? (several people)
              facever enroll alice ~/photos/alice         alice's faces into DATA/people
              facever people                              who is enrolled
              facever identify photo.jpg                  the name, or unknown
              facever report                              PNG plots: history, ROC, scores

            No training: dlib's pretrained ResNet, which Scripts/setup.sh converts into
            models/dlib-resnet-v1.safetensors (MODEL below):
              facever verify probe.jpg --model MODEL
              facever compare a.jpg b.jpg --model MODEL   one pair's score
              facever embed photos/ --model MODEL         each face's descriptor (JSON)
              facever model import-dlib --help            converting dlib's files yourself
            """,
        version: "0.2.0",
        subcommands: [CollectCommand.self, ImportCommand.self, AugmentCommand.self, TrainCommand.self, EvaluateCommand.self, VerifyCommand.self,
                      EnrollCommand.self, PeopleCommand.self, IdentifyCommand.self, ReportCommand.self, CompareCommand.self, EmbedCommand.self,
                      ModelCommand.self]
    )
}
