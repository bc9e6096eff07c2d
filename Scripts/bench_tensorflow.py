#!/usr/bin/env python3
"""The TensorFlow side of Scripts/benchmark-vs-tensorflow.sh: the tutorial's network (with the intended
2x2 pooling) and the same workloads as `facever-bench`, printing one JSON object per line.

  bench_tensorflow.py train [--steps 6] [--batch 16]   tf.function train step (GradientTape, BCE, Adam 1e-4)
  bench_tensorflow.py embed [--batch 1|32] [--repeats 20]
  bench_tensorflow.py verify [--repeats 20]            51 embeddings in one batched call + head vs 50;
                                                       and the tutorial's loop of 50 predict calls
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow.keras import layers  # noqa: E402


def embedding_model():
    inputs = tf.keras.Input((100, 100, 3))
    x = layers.Conv2D(64, (10, 10), activation="relu")(inputs)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    x = layers.Conv2D(128, (7, 7), activation="relu")(x)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    x = layers.Conv2D(128, (4, 4), activation="relu")(x)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    x = layers.Conv2D(256, (4, 4), activation="relu")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(4096, activation="sigmoid")(x)
    return tf.keras.Model(inputs, x, name="embedding")


class L1Dist(layers.Layer):
    def call(self, a, b):
        return tf.math.abs(a - b)


def siamese_model(embedding):
    anchor = tf.keras.Input((100, 100, 3))
    other = tf.keras.Input((100, 100, 3))
    distance = L1Dist()(embedding(anchor), embedding(other))
    score = layers.Dense(1, activation="sigmoid")(distance)
    return tf.keras.Model([anchor, other], score, name="siamese")


def emit(**fields):
    fields["framework"] = "tensorflow"
    print(json.dumps(fields, sort_keys=True), flush=True)


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def train(steps, batch):
    embedding = embedding_model()
    siamese = siamese_model(embedding)
    loss_fn = tf.keras.losses.BinaryCrossentropy()
    optimizer = tf.keras.optimizers.Adam(1e-4)
    rng = np.random.default_rng(1)
    anchors = tf.constant(rng.random((batch, 100, 100, 3), dtype=np.float32))
    others = tf.constant(rng.random((batch, 100, 100, 3), dtype=np.float32))
    labels = tf.constant(np.arange(batch) % 2, dtype=tf.float32)[:, None]

    @tf.function
    def train_step(a, o, y):
        with tf.GradientTape() as tape:
            yhat = siamese([a, o], training=True)
            loss = loss_fn(y, yhat)
        gradients = tape.gradient(loss, siamese.trainable_variables)
        optimizer.apply_gradients(zip(gradients, siamese.trainable_variables))
        return loss

    train_step(anchors, others, labels).numpy()  # trace and warm up
    train_step(anchors, others, labels).numpy()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        train_step(anchors, others, labels).numpy()
        times.append(time.perf_counter() - start)
    step = statistics.median(times)
    emit(task="train", batch=batch, step_seconds=step, pairs_per_second=batch / step, samples=times,
         peak_rss_mib=peak_rss_mib())


def embed(batch, repeats):
    embedding = embedding_model()
    images = tf.constant(np.random.default_rng(3).random((batch, 100, 100, 3), dtype=np.float32))
    run = tf.function(lambda x: embedding(x, training=False))
    run(images).numpy()
    run(images).numpy()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run(images).numpy()
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    emit(task="embed1" if batch == 1 else f"embed{batch}", batch=batch, seconds=seconds, milliseconds=seconds * 1000,
         images_per_second=batch / seconds, samples=times)


def verify(repeats):
    embedding = embedding_model()
    siamese = siamese_model(embedding)
    head = siamese.layers[-1]
    rng = np.random.default_rng(4)
    probe = rng.random((1, 100, 100, 3), dtype=np.float32)
    gallery = rng.random((50, 100, 100, 3), dtype=np.float32)
    batch = tf.constant(np.concatenate([probe, gallery]))

    @tf.function
    def batched(images):
        vectors = embedding(images, training=False)
        return head(tf.math.abs(vectors[:1] - vectors[1:]))

    batched(batch).numpy()
    batched(batch).numpy()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        scores = batched(batch).numpy()
        _ = np.sum(scores > 0.5) / 50 > 0.5
        times.append(time.perf_counter() - start)

    # The tutorial's loop: one predict call per stored positive.
    siamese.predict([probe, gallery[:1]], verbose=0)
    loop_times = []
    for _ in range(3):
        start = time.perf_counter()
        results = [siamese.predict([probe, gallery[i:i + 1]], verbose=0) for i in range(50)]
        _ = np.sum(np.array(results) > 0.5) / 50 > 0.5
        loop_times.append(time.perf_counter() - start)
    emit(task="verify", gallery=50, milliseconds=statistics.median(times) * 1000, samples=times,
         tutorial_loop_milliseconds=statistics.median(loop_times) * 1000)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("task", choices=["train", "embed", "verify"])
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    if args.task == "train":
        train(args.steps, args.batch)
    elif args.task == "embed":
        embed(args.batch, args.repeats)
    else:
        verify(args.repeats)


if __name__ == "__main__":
    sys.exit(main())
