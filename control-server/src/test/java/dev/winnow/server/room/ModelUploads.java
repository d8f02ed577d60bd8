package dev.winnow.server.room;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;

/** Uploads to the model registry as the models page does (multipart), and a small labelled set for them. */
public final class ModelUploads {

    /** The models module's test models (yolo-tiny, yolo-mismatch, ...). */
    public static final Path MODELS = Path.of("..", "models", "src", "test", "resources", "models");

    private ModelUploads() {
    }

    /** POST /api/models with the model, its card and, when not null, a zipped labelled set. */
    public static Http.Reply upload(final Http http, final byte[] onnx, final byte[] card, final byte[] datasetZip)
            throws Exception {
        return upload(http, onnx, card, datasetZip, java.util.Map.of());
    }

    /** The same with more files, by multipart field name (a verifier: {@code verify.{folder}.onnx|card}). */
    public static Http.Reply upload(final Http http, final byte[] onnx, final byte[] card, final byte[] datasetZip,
                                    final java.util.Map<String, byte[]> more) throws Exception {
        final String boundary = "winnowboundary" + System.nanoTime();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        part(body, boundary, "onnx", "model.onnx", "application/octet-stream", onnx);
        part(body, boundary, "card", "model.json", "application/json", card);
        for (final java.util.Map.Entry<String, byte[]> e : new java.util.TreeMap<>(more).entrySet()) {
            part(body, boundary, e.getKey(), e.getKey().endsWith(".card") ? "model.json" : "model.onnx",
                    "application/octet-stream", e.getValue());
        }
        if (datasetZip != null) {
            part(body, boundary, "dataset", "set.zip", "application/zip", datasetZip);
        }
        body.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return http.send(HttpRequest.newBuilder(URI.create(http.base() + "/api/models"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
    }

    /**
     * A zipped YOLO set for yolo-tiny, which finds plastic_film on a red image at (12,12)-(20,20) and pp_twine on a
     * blue one at (35,35)-(45,45): the red label is found, the blue one lies elsewhere (a miss and a false alarm).
     */
    public static byte[] labelledSet() throws Exception {
        final ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(zip)) {
            entry(z, "set/data.yaml", "names: [plastic_film, pp_twine]\n".getBytes(StandardCharsets.UTF_8));
            entry(z, "set/images/val/red.png", png(Color.RED));
            entry(z, "set/labels/val/red.txt", "0 0.25 0.25 0.125 0.125\n".getBytes(StandardCharsets.UTF_8));
            entry(z, "set/images/val/blue.png", png(Color.BLUE));
            entry(z, "set/labels/val/blue.txt", "1 0.1 0.9 0.1 0.1\n".getBytes(StandardCharsets.UTF_8));
        }
        return zip.toByteArray();
    }

    private static void entry(final ZipOutputStream z, final String name, final byte[] data) throws Exception {
        z.putNextEntry(new ZipEntry(name));
        z.write(data);
        z.closeEntry();
    }

    private static byte[] png(final Color c) throws Exception {
        final BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = img.createGraphics();
        g.setColor(c);
        g.fillRect(0, 0, 64, 64);
        g.dispose();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private static void part(final ByteArrayOutputStream out, final String boundary, final String name,
                             final String file, final String type, final byte[] data) throws Exception {
        out.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\"" + file
                + "\"\r\nContent-Type: " + type + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.write(data);
        out.write("\r\n".getBytes(StandardCharsets.UTF_8));
    }
}
