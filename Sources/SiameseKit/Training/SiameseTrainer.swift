// SiameseTrainer.swift — one optimisation step on a batch of labelled pairs.
//
//   a PairBatch (photos [U, H, W, C], rows of each pair's two photos), or anchors, others: [B, H, W, C];
//   labels: [B] (1 same face, 0 different)
//   loss = BCE(sigmoid(logits), labels), then backward, then one optimizer update.
// Or one few-shot episode under the prototypical loss (PrototypicalLoss.swift).
import Tensor

public final class SiameseTrainer {
    public let network: SiameseNetwork
    public let optimizer: any Optimizer
    /// The products of every forward and backward pass (a run's precision).
    public let compute: Compute

    public convenience init(network: SiameseNetwork, learningRate: Float = 1e-4, compute: Compute = .standard) {
        self.init(network: network, optimizer: Adam(learningRate: learningRate), compute: compute)
    }

    public init(network: SiameseNetwork, optimizer: any Optimizer, compute: Compute = .standard) {
        self.network = network
        self.optimizer = optimizer
        self.compute = compute
    }

    /// Runs forward, backward and the update; returns the batch's mean loss before the update.
    @discardableResult
    public func step(anchors: Tensor, others: Tensor, labels: [Float]) -> Float {
        step(PairBatch(anchors: anchors, others: others, labels: labels))
    }

    /// The same for a batch over distinct photos.
    @discardableResult
    public func step(_ batch: PairBatch) -> Float {
        network.zeroGrad()
        let loss = self.loss(batch)
        loss.backward()
        optimizer.update(network.parameters)
        return loss.data[0]
    }

    /// One few-shot episode (photos [W·(S+Q), H, W, C], class-major): the prototypical loss of the embeddings,
    /// backward, one optimizer update; returns the episode's loss before the update.
    @discardableResult
    public func step(episode photos: Tensor, shape: EpisodeShape) -> Float {
        network.zeroGrad()
        let (loss, _) = prototypicalLoss(network.embedding(photos, compute: compute, training: true), episode: shape)
        loss.backward()
        optimizer.update(network.parameters)
        return loss.data[0]
    }

    /// The mean loss on a batch, with the graph recorded (call backward on it to train).
    public func loss(_ batch: PairBatch) -> Tensor {
        let logits = network.logits(batch, compute: compute, training: true)
        return binaryCrossEntropy(logits: logits, labels: Tensor(shape: [batch.labels.count, 1], data: batch.labels))
    }
}
