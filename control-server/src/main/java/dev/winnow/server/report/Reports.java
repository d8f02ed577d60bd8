package dev.winnow.server.report;

import dev.winnow.server.cert.CertificateService;
import dev.winnow.server.cert.CertificateWeb;
import dev.winnow.server.store.Database;
import dev.winnow.server.store.EventStore;
import io.javalin.Javalin;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Daily reports: generation (HTML, PDF, CSV, archived, optionally e-mailed), jobs with progress for
 * on-demand generation, and the end-of-day schedule. Installed into the web app by one call:
 *
 * <pre>
 * toClose.push(Reports.install(web, store, clock));
 * </pre>
 */
public final class Reports implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Reports.class);

    /** A generation job as the page polls it. */
    public record Job(String id, String site, String day, String state, double progress, String stage,
                      String reportId, String error) {
    }

    private final Database db;
    private final Clock clock;
    private final ReportEngine engine;
    private final ReportArchive archive;
    private final ReportSettings.Store settings;
    private final LineSettings.Store lineSettings;
    private final ReportMailer mailer;
    private final ExecutorService jobs = Executors.newSingleThreadExecutor(r -> daemon(r, "report-jobs"));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> daemon(r, "report-schedule"));
    private final Map<String, Job> jobTable = new ConcurrentHashMap<>();

    public Reports(final Database db, final Clock clock, final ReportMailer mailer) {
        this.db = db;
        this.clock = clock;
        this.engine = new ReportEngine(db, 2);
        this.archive = new ReportArchive(db);
        this.settings = new ReportSettings.Store(db);
        this.lineSettings = new LineSettings.Store(db);
        this.mailer = mailer;
    }

    /** Registers the report and certificate routes and starts the schedule (checked every 30 s). */
    public static Reports install(final Javalin app, final EventStore store, final Clock clock) {
        final Reports r = new Reports(store.database(), clock, new ReportMailer(System.getenv("WINNOW_SMTP_PASSWORD")));
        new ReportWeb(r).routes(app);
        new CertificateWeb(new CertificateService(store.database(), clock)).routes(app);
        r.timer.scheduleWithFixedDelay(() -> {
            try {
                r.tick();
            } catch (RuntimeException e) {
                LOG.warn("report schedule: {}", e.toString());
            }
        }, 20, 30, TimeUnit.SECONDS);
        return r;
    }

    public ReportEngine engine() {
        return engine;
    }

    public ReportArchive archive() {
        return archive;
    }

    public ReportSettings.Store settings() {
        return settings;
    }

    public LineSettings.Store lineSettings() {
        return lineSettings;
    }

    public Clock clock() {
        return clock;
    }

    /**
     * Makes and archives one report; e-mails it when {@code mail} and SMTP is configured.
     *
     * @param progress gets 0..1 and a stage name
     */
    public ReportArchive.Entry generate(final String site, final LocalDate day, final ZoneId zone, final String trigger,
                                        final boolean mail, final Progress progress) {
        final long t0 = System.nanoTime();
        progress.update(0.02, "reading events");
        final Instant now = clock.instant();
        final SiteReport r = engine.site(site, day, zone, now, f -> progress.update(0.02 + 0.68 * f, "computing lines"));
        final String id = "R-" + site + "-" + day + "-" + UUID.randomUUID().toString().substring(0, 8);
        progress.update(0.72, "rendering HTML");
        final String html = ReportRenderer.html(r, ReportRenderer.Medium.SCREEN, id);
        final String csv = ReportRenderer.csv(r);
        progress.update(0.78, "rendering PDF");
        final byte[] pdf = ReportRenderer.pdf(r);
        progress.update(0.95, "archiving");
        final long ms = (System.nanoTime() - t0) / 1_000_000;
        final ReportArchive.Entry e = new ReportArchive.Entry(id, site, day, zone.getId(), trigger, now, ms, null);
        archive.save(e, html, csv, pdf);
        final ReportSettings s = settings.get();
        if (mail && s.mailConfigured()) {
            progress.update(0.97, "e-mailing");
            try {
                mailer.send(s, "Winnow daily quality report " + site + " " + day + ": "
                                + Html.count(r.ejections()) + " removed, " + Html.num(r.tonnes(), 1) + " t",
                        ReportRenderer.html(r, ReportRenderer.Medium.PRINT, null).replaceAll(
                                "<img src=\"data:[^\"]*\"[^>]*/>", ""), pdf, csv, "winnow-" + site + "-" + day);
                archive.markEmailed(id, String.join(",", s.recipients()));
                progress.update(1, "done");
                return new ReportArchive.Entry(id, site, day, zone.getId(), trigger, now, ms,
                        String.join(",", s.recipients()));
            } catch (Exception ex) {
                LOG.warn("report {} not e-mailed: {}", id, ex.toString());
            }
        }
        progress.update(1, "done");
        return e;
    }

    /** Receives progress. */
    public interface Progress {
        void update(double fraction, String stage);
    }

    /** Queues an on-demand generation; poll {@link #job}. */
    public Job submit(final String site, final LocalDate day, final ZoneId zone, final boolean mail) {
        final String id = UUID.randomUUID().toString();
        jobTable.put(id, new Job(id, site, day.toString(), "queued", 0, "queued", null, null));
        jobs.submit(() -> {
            try {
                final ReportArchive.Entry e = generate(site, day, zone, "manual", mail, (f, stage) ->
                        jobTable.put(id, new Job(id, site, day.toString(), "running", f, stage, null, null)));
                jobTable.put(id, new Job(id, site, day.toString(), "done", 1, "done", e.id(), null));
            } catch (RuntimeException ex) {
                LOG.warn("report job {} failed", id, ex);
                jobTable.put(id, new Job(id, site, day.toString(), "failed", 1, "failed", null, ex.toString()));
            }
        });
        return jobTable.get(id);
    }

    public Job job(final String id) {
        return jobTable.get(id);
    }

    /**
     * The schedule: once {@code runAt} has passed on day D+1 in the configured zone, each site's report of
     * day D is made (once) and e-mailed. Returns what was generated.
     */
    public List<ReportArchive.Entry> tick() {
        rollUpClosedQuarters();
        final ReportSettings s = settings.get();
        if (!s.enabled()) {
            return List.of();
        }
        final ZonedDateTime now = ZonedDateTime.ofInstant(clock.instant(), s.zone());
        if (now.toLocalTime().isBefore(s.runAt())) {
            return List.of();
        }
        final LocalDate day = now.toLocalDate().minusDays(1);
        final List<ReportArchive.Entry> out = new java.util.ArrayList<>();
        final Instant dayEnd = day.plusDays(1).atStartOfDay(s.zone()).toInstant();
        for (String site : engine.sites()) {
            // a site that first reported after the day has nothing to say of it (a new install, the demo)
            if (!archive.hasScheduled(site, day, s.zone().getId()) && engine.hasDataBefore(site, dayEnd)) {
                LOG.info("scheduled report of {} {}", site, day);
                out.add(generate(site, day, s.zone(), "scheduled", true, (f, st) -> { }));
            }
        }
        return out;
    }

    /**
     * Keeps the events rollup current as the day goes: the quarter hours of the last two hours that have
     * closed are built (each once; later only if late events change their count), so the end-of-day report
     * reads rollup rows instead of the day's raw events.
     */
    void rollUpClosedQuarters() {
        final long now = clock.instant().toEpochMilli();
        final long end = now - Math.floorMod(now, QuarterRollup.QUARTER_MS);
        final long start = end - 2 * 3_600_000L;
        for (String site : engine.sites()) {
            for (String line : engine.lines(site)) {
                engine.rollup().ensure(site, line, start, end);
            }
        }
    }

    Map<String, Object> settingsJson() {
        final ReportSettings s = settings.get();
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("zone", s.zone().getId());
        m.put("run_at", s.runAt().toString());
        m.put("enabled", s.enabled());
        m.put("recipients", s.recipients());
        m.put("smtp_host", s.smtpHost());
        m.put("smtp_port", s.smtpPort());
        m.put("smtp_from", s.smtpFrom());
        m.put("smtp_user", s.smtpUser());
        m.put("smtp_starttls", s.smtpStartTls());
        return m;
    }

    Database database() {
        return db;
    }

    private static Thread daemon(final Runnable r, final String name) {
        final Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        jobs.shutdownNow();
    }
}
