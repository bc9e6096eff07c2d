// RunFuzzer.swift — the shared entry of every Swift fuzz target: hands the process's arguments and the
// target's test function to libFuzzer's driver (see FuzzerDriver.h for why there is no libFuzzer main).
import Foundation
import FuzzerDriver

public typealias FuzzTest = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

public func runFuzzer(_ test: FuzzTest) -> Never {
    var argc = CommandLine.argc
    var argv = Optional(CommandLine.unsafeArgv)
    exit(LLVMFuzzerRunDriver(&argc, &argv, test))
}
