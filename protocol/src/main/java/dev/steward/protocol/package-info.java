/**
 * The RPC and worker protocol: a stream of msgpack arrays {@code [message, session, args]} with no
 * length prefix. {@link FrameReader} takes bytes as they arrive (a frame may be cut anywhere) and
 * gives whole frames; {@link FrameWriter} writes frames in the old raw form that every peer reads.
 * {@link WorkerMessage} reads and writes the worker protocol's messages as sealed records.
 */
package dev.steward.protocol;
