package dev.steward.protocol;

/**
 * What one frame may hold, so that a peer cannot make a reader hold, scan or build more than this.
 *
 * @param maxFrameBytes the largest frame, header and payloads together
 * @param maxDepth      how deep arrays and maps may nest inside a frame (the frame itself is depth 1)
 * @param maxElements   the most elements one array or map may declare (a map's pairs count twice)
 */
public record FrameLimits(int maxFrameBytes, int maxDepth, int maxElements) {
    /** 64 MiB frames, nesting 32 deep, 1,048,576 elements per collection: for clients and workers, which read what an agent sends. */
    public static final FrameLimits DEFAULT = new FrameLimits(64 << 20, 32, 1 << 20);
    /**
     * What an agent takes on its ports (the locator, services, apps, the workers' sockets): an event's
     * data of up to 16 MiB, as over HTTP, and 64 KiB for the rest of its frame.
     */
    public static final FrameLimits AGENT = new FrameLimits((16 << 20) + (64 << 10), 32, 1 << 20);

    public FrameLimits {
        if (maxFrameBytes < 16) throw new IllegalArgumentException("maxFrameBytes: " + maxFrameBytes + " (expected: >= 16)");
        if (maxDepth < 2 || maxDepth > 1024) throw new IllegalArgumentException("maxDepth: " + maxDepth + " (expected: 2-1024)");
        if (maxElements < 3) throw new IllegalArgumentException("maxElements: " + maxElements + " (expected: >= 3)");
    }

    /** The default limits with another largest frame. */
    public static FrameLimits ofMaxFrame(int maxFrameBytes) {
        return new FrameLimits(maxFrameBytes, DEFAULT.maxDepth, DEFAULT.maxElements);
    }
}
