package dev.winnow.server.gallery;

import dev.winnow.server.api.Web;
import dev.winnow.server.fleet.FleetWeb;
import dev.winnow.server.store.Database;
import dev.winnow.server.store.StoreException;
import dev.winnow.server.users.Actor;
import dev.winnow.server.users.Auth;
import io.javalin.Javalin;
import io.javalin.http.HttpStatus;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;

/**
 * The rejected-item gallery: what was rejected, with class, confidence, time, lane and the image crop
 * when the device uploaded one; operators mark false rejections, which export as a YOLO dataset.
 *
 * <pre>
 * GET    /gallery                                  page
 * GET    /api/gallery?site=&line=&class=&marked=true&limit=120
 * GET    /api/gallery/{id}/crop.jpg                the crop
 * POST   /api/gallery/{id}/false-rejection         mark; DELETE unmarks
 * GET    /api/gallery/export.zip?site=&line=       marked items as a YOLO dataset (images/, labels/, data.yaml)
 * PUT    /api/device/crops/{id}                    (device credentials) JPEG crop of the device's rejection {id}
 * </pre>
 */
public final class GalleryWeb {

    static final int MAX_CROP = 2 * 1024 * 1024;

    /** One rejection as a gallery card. */
    public record Item(String id, String site, String line, String device, Instant time, String camera, String cls,
                       double confidence, List<Integer> lanes, double acrossMm, String lot, boolean audit,
                       boolean hasCrop, String cropRef, String markedBy, Instant markedAt) {
    }

    private final Database db;
    private final Auth auth;
    private final Clock clock;
    private final Path crops;
    private final FleetWeb.DeviceGate devices;
    private final String page = Web.resource("/web/gallery.html");

    public GalleryWeb(final Database db, final Auth auth, final Clock clock, final Path dataDir,
                      final FleetWeb.DeviceGate devices) {
        this.db = db;
        this.auth = auth;
        this.clock = clock;
        this.crops = dataDir.resolve("crops");
        this.devices = devices;
    }

    public void install(final Javalin app) {
        app.get("/gallery", ctx -> ctx.html(page));
        app.get("/api/gallery", ctx -> {
            final String marked = ctx.queryParam("marked");
            ctx.json(Map.of("items", items(ctx.queryParam("site"), ctx.queryParam("line"), ctx.queryParam("class"),
                    "true".equals(marked), Web.intQuery(ctx, "limit", 120, 1, 1000)),
                    "classes", classes()));
        });
        app.get("/api/gallery/export.zip", ctx -> {
            final List<Item> marked = items(ctx.queryParam("site"), ctx.queryParam("line"), null, true, 100_000);
            ctx.header("Content-Disposition", "attachment; filename=\"winnow-false-rejections.zip\"")
                    .contentType("application/zip").result(export(marked));
            auth.audit(ctx, "gallery.export", String.valueOf(ctx.queryParam("site")) + "/" + ctx.queryParam("line"),
                    marked.size() + " items");
        });
        app.get("/api/gallery/{id}/crop.jpg", ctx -> {
            final Path p = cropPath(ctx.pathParam("id"));
            if (p == null || !Files.exists(p)) {
                throw new Web.NotFound("no crop for this rejection");
            }
            ctx.header("Cache-Control", "private, max-age=86400").contentType("image/jpeg").result(Files.readAllBytes(p));
        });
        app.post("/api/gallery/{id}/false-rejection", ctx -> {
            final Item it = item(ctx.pathParam("id"));
            if (it.markedBy() == null) {
                update("INSERT INTO false_rejections (reject_id, marked_by, marked_at) VALUES (?,?,?)", it.id(),
                        Actor.of(ctx).username(), OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
                auth.audit(ctx, "gallery.mark", it.id(), it.cls() + " " + it.confidence());
            }
            ctx.json(item(it.id()));
        });
        app.delete("/api/gallery/{id}/false-rejection", ctx -> {
            final Item it = item(ctx.pathParam("id"));
            if (update("DELETE FROM false_rejections WHERE reject_id = ?", it.id()) > 0) {
                auth.audit(ctx, "gallery.unmark", it.id(), null);
            }
            ctx.json(item(it.id()));
        });
        app.put("/api/device/crops/{id}", ctx -> {
            final String who = devices.authenticate(ctx);
            if (who == null) {
                ctx.status(HttpStatus.UNAUTHORIZED).header("WWW-Authenticate", "Basic realm=\"winnow devices\"")
                        .json(Map.of("error", "device credentials required"));
                return;
            }
            final Item it = item(ctx.pathParam("id"));
            if (!who.equals("*") && !who.equals(it.site() + "." + it.line() + "." + it.device())) {
                ctx.status(HttpStatus.FORBIDDEN).json(Map.of("error", "this rejection is not yours"));
                return;
            }
            final byte[] jpeg = ctx.bodyAsBytes();
            if (jpeg.length == 0 || jpeg.length > MAX_CROP) {
                throw new Web.BadInput("a crop is a JPEG of 1 byte to " + MAX_CROP / 1024 + " KiB; this one has "
                        + jpeg.length + " bytes");
            }
            final BufferedImage img = ImageIO.read(new ByteArrayInputStream(jpeg));
            if (img == null) {
                throw new Web.BadInput("the crop is not a readable image");
            }
            Files.createDirectories(crops);
            Files.write(cropPath(it.id()), jpeg);
            update("DELETE FROM reject_crops WHERE reject_id = ?", it.id());
            update("INSERT INTO reject_crops (reject_id, site, line, device, bytes, width, height, uploaded_at) "
                    + "VALUES (?,?,?,?,?,?,?,?)", it.id(), it.site(), it.line(), it.device(), (long) jpeg.length,
                    img.getWidth(), img.getHeight(), OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
            ctx.status(HttpStatus.CREATED).json(Map.of("ok", true, "width", img.getWidth(), "height", img.getHeight()));
        });
    }

    private Path cropPath(final String id) {
        if (id == null || !id.matches("[A-Za-z0-9._-]{1,64}") || id.startsWith(".")) {
            return null;
        }
        return crops.resolve(id + ".jpg");
    }

    public Item item(final String id) {
        final List<Item> l = query(" WHERE r.id = ?", List.of(id), 1);
        if (l.isEmpty()) {
            throw new Web.NotFound("no rejection '" + Web.cut(id) + "'");
        }
        return l.get(0);
    }

    public List<Item> items(final String site, final String line, final String cls, final boolean markedOnly,
                            final int limit) {
        final StringBuilder w = new StringBuilder(" WHERE 1 = 1");
        final List<Object> args = new ArrayList<>();
        if (site != null && !site.isBlank()) {
            w.append(" AND r.site = ?");
            args.add(site);
        }
        if (line != null && !line.isBlank()) {
            w.append(" AND r.line = ?");
            args.add(line);
        }
        if (cls != null && !cls.isBlank()) {
            w.append(" AND r.class_name = ?");
            args.add(cls);
        }
        if (markedOnly) {
            w.append(" AND f.reject_id IS NOT NULL");
        }
        return query(w.toString(), args, limit);
    }

    private List<String> classes() {
        final TreeSet<String> out = new TreeSet<>();
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT DISTINCT class_name FROM reject_minutes"); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new StoreException(e);
        }
        return List.copyOf(out);
    }

    private List<Item> query(final String where, final List<Object> args, final int limit) {
        final String sql = "SELECT r.id, r.site, r.line, r.device, r.event_time, r.camera, r.class_name, r.confidence, "
                + "r.valves, r.across_mm, r.lot, r.audit, k.reject_id, r.crop, f.marked_by, f.marked_at "
                + "FROM reject_events r LEFT JOIN reject_crops k ON k.reject_id = r.id "
                + "LEFT JOIN false_rejections f ON f.reject_id = r.id" + where
                + " ORDER BY r.event_time DESC, r.id DESC LIMIT ?";
        final List<Item> out = new ArrayList<>();
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            for (Object o : args) {
                ps.setObject(i++, o);
            }
            ps.setInt(i, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    final String v = rs.getString(9);
                    final List<Integer> lanes = new ArrayList<>();
                    if (v != null && !v.isEmpty()) {
                        for (String s : v.split(",")) {
                            lanes.add(Integer.valueOf(s.trim()));
                        }
                    }
                    final OffsetDateTime m = rs.getObject(16, OffsetDateTime.class);
                    out.add(new Item(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getObject(5, OffsetDateTime.class).toInstant(), rs.getString(6), rs.getString(7),
                            rs.getDouble(8), lanes, rs.getDouble(10), rs.getString(11), rs.getBoolean(12),
                            rs.getString(13) != null, rs.getString(14), rs.getString(15),
                            m == null ? null : m.toInstant()));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /**
     * A YOLO detection dataset of the marked false rejections: each crop under {@code images/train/} with an
     * empty label file under {@code labels/train/} (nothing to detect: a negative example), {@code data.yaml}
     * with the class names, and {@code false_rejections.csv} with what the model had said. Items without a
     * crop are listed in the CSV only.
     */
    byte[] export(final List<Item> marked) throws IOException {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<String> names = classes();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            final StringBuilder csv = new StringBuilder(
                    "id,site,line,device,time,camera,predicted_class,confidence,lanes,lot,marked_by,marked_at,image\n");
            for (Item it : marked) {
                final Path p = cropPath(it.id());
                String image = "";
                if (it.hasCrop() && p != null && Files.exists(p)) {
                    image = "images/train/" + it.id() + ".jpg";
                    put(zip, image, Files.readAllBytes(p));
                    put(zip, "labels/train/" + it.id() + ".txt", new byte[0]);
                }
                csv.append(String.join(",", it.id(), it.site(), it.line(), it.device(), it.time().toString(),
                        it.camera(), it.cls(), String.valueOf(it.confidence()),
                        "\"" + it.lanes().toString().replaceAll("[\\[\\] ]", "") + "\"",
                        it.lot() == null ? "" : it.lot(), it.markedBy(), String.valueOf(it.markedAt()), image)).append('\n');
            }
            put(zip, "false_rejections.csv", csv.toString().getBytes(StandardCharsets.UTF_8));
            final StringBuilder yaml = new StringBuilder("# Winnow false rejections: negative examples (empty labels)\n"
                    + "path: .\ntrain: images/train\nval: images/train\nnames:\n");
            for (int i = 0; i < names.size(); i++) {
                yaml.append("  ").append(i).append(": ").append(names.get(i)).append('\n');
            }
            put(zip, "data.yaml", yaml.toString().getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    private static void put(final ZipOutputStream zip, final String name, final byte[] data) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(data);
        zip.closeEntry();
    }

    private int update(final String sql, final Object... args) {
        try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }
}
