package dev.winnow.models.dataset;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * A dataset in the YOLO format (what Ultralytics, Roboflow, CVAT and Label Studio export): {@code data.yaml}
 * with {@code names}, images under {@code images/}, and for each image a {@code labels/.../name.txt} at the
 * mirrored path with rows {@code cls cx cy w h} normalised to 0..1 (polygon rows {@code cls x1 y1 x2 y2 ...}
 * are reduced to their bounding box). An image without a label file has no objects.
 *
 * <p>Optionally, {@code ignore/.../name.txt} at the same mirrored path holds ignore regions in the same row format:
 * objects a labeller could not decide on (too faint, mostly hidden). Evaluation neither counts them as labels nor a
 * prediction on one as false, as PASCAL VOC's "difficult" objects and KITTI's "DontCare" regions. The virtual
 * line's exporter writes them; datasets from labelling tools simply have none.
 *
 * @param root    the dataset folder, never null
 * @param names   class names, never null
 * @param samples images with labels, sorted by path for determinism, never null
 */
public record YoloDataset(Path root, List<String> names, List<Sample> samples) {

    private static final Set<String> IMAGE_EXT = Set.of("jpg", "jpeg", "png", "bmp", "gif");

    public YoloDataset {
        names = List.copyOf(names);
        samples = List.copyOf(samples);
    }

    /** Opens every image under {@code root/images} (all splits). */
    public static YoloDataset open(final Path root) throws IOException {
        return open(root, null);
    }

    /**
     * Opens one split, e.g. {@code val} for {@code root/images/val}; {@code null} means all of {@code images/}.
     */
    public static YoloDataset open(final Path root, final String split) throws IOException {
        Path yaml = root.resolve("data.yaml");
        if (!Files.isRegularFile(yaml)) {
            yaml = root.resolve("data.yml");
        }
        if (!Files.isRegularFile(yaml)) {
            throw new NoSuchFileException(root.resolve("data.yaml").toString(), null, "dataset has no data.yaml");
        }
        final DataYaml data = DataYaml.load(yaml);
        final Path imagesRoot = root.resolve("images");
        final Path images = split == null ? imagesRoot : imagesRoot.resolve(split);
        if (!Files.isDirectory(images)) {
            throw new NoSuchFileException(images.toString(), null, "dataset has no images folder");
        }
        final List<Path> files;
        try (Stream<Path> s = Files.walk(images)) {
            files = s.filter(Files::isRegularFile).filter(YoloDataset::isImage).sorted().toList();
        }
        final List<Sample> samples = new ArrayList<>(files.size());
        for (final Path img : files) {
            final Path rel = imagesRoot.relativize(img);
            final String fname = rel.getFileName().toString();
            final String stem = fname.substring(0, fname.lastIndexOf('.'));
            final Path parent = rel.getParent();
            final Path label = root.resolve("labels").resolve(parent == null ? Path.of(stem + ".txt")
                    : parent.resolve(stem + ".txt"));
            final Path ignore = root.resolve("ignore").resolve(parent == null ? Path.of(stem + ".txt")
                    : parent.resolve(stem + ".txt"));
            samples.add(new Sample(img, Files.isRegularFile(label) ? readLabels(label, data.names().size())
                    : List.of(), Files.isRegularFile(ignore) ? readLabels(ignore, data.names().size()) : List.of()));
        }
        return new YoloDataset(root, data.names(), samples);
    }

    static boolean isImage(final Path p) {
        final String n = p.getFileName().toString();
        final int dot = n.lastIndexOf('.');
        return dot > 0 && IMAGE_EXT.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** Reads one label file; each bad row fails naming file and line. */
    static List<float[]> readLabels(final Path file, final int nc) throws IOException {
        final List<float[]> out = new ArrayList<>();
        final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            final String line = lines.get(i).trim();
            if (line.isEmpty()) {
                continue;
            }
            final String where = file + ":" + (i + 1);
            final String[] f = line.split("\\s+");
            if (f.length < 5 || (f.length > 5 && f.length % 2 == 0)) {
                throw new IllegalArgumentException(where + ": expected 'cls cx cy w h' or a polygon, got '" + line + "'");
            }
            final float[] v = new float[f.length];
            try {
                for (int k = 0; k < f.length; k++) {
                    v[k] = Float.parseFloat(f[k]);
                }
            } catch (final NumberFormatException e) {
                throw new IllegalArgumentException(where + ": not a number in '" + line + "'");
            }
            final int cls = (int) v[0];
            if (cls != v[0] || cls < 0 || cls >= nc) {
                throw new IllegalArgumentException(where + ": class " + f[0] + " is not in 0.." + (nc - 1));
            }
            final float[] row;
            if (f.length == 5) {
                row = v;
            } else {
                float minX = 1;
                float minY = 1;
                float maxX = 0;
                float maxY = 0;
                for (int k = 1; k < v.length; k += 2) {
                    minX = Math.min(minX, v[k]);
                    maxX = Math.max(maxX, v[k]);
                    minY = Math.min(minY, v[k + 1]);
                    maxY = Math.max(maxY, v[k + 1]);
                }
                row = new float[] {cls, (minX + maxX) / 2, (minY + maxY) / 2, maxX - minX, maxY - minY};
            }
            for (int k = 1; k < 5; k++) {
                if (!(row[k] >= 0f && row[k] <= 1.0001f)) {
                    throw new IllegalArgumentException(where + ": coordinates must be normalised to 0..1, got '"
                            + line + "'");
                }
            }
            out.add(row);
        }
        return out;
    }

    /**
     * Reads an image as interleaved BGR (the frame format of the production path).
     *
     * @return the image; {@link BgrImage#bgr()} has {@code 3*width*height} bytes
     */
    public static BgrImage readBgr(final Path file) throws IOException {
        final BufferedImage src = ImageIO.read(file.toFile());
        if (src == null) {
            throw new IOException(file + " is not a readable image");
        }
        final BufferedImage bgr;
        if (src.getType() == BufferedImage.TYPE_3BYTE_BGR) {
            bgr = src;
        } else {
            bgr = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
            final Graphics2D g = bgr.createGraphics();
            g.drawImage(src, 0, 0, null);
            g.dispose();
        }
        final byte[] data = ((DataBufferByte) bgr.getRaster().getDataBuffer()).getData();
        return new BgrImage(data, bgr.getWidth(), bgr.getHeight());
    }

    /**
     * An interleaved BGR image.
     *
     * @param bgr    pixel bytes, never null
     * @param width  pixels
     * @param height pixels
     */
    public record BgrImage(byte[] bgr, int width, int height) {
    }
}
