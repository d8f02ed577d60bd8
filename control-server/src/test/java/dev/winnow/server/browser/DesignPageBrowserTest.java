package dev.winnow.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.winnow.server.WinnowServer;
import dev.winnow.server.config.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The design lab page in a real browser (headless Chromium over the DevTools protocol), used as a new
 * designer would: write a brief in the form (a refused one shows the field and the reason), create the
 * study, breed several generations with live progress, hover a swatch for its scores and reasons, rate
 * and shortlist, import A/B clicks, read the market ranking, follow a design's lineage and download its
 * WIF and production spec. Leaves screenshots in {@code target/screenshots/design-lab-*.png}.
 *
 * <p>Skipped when Chromium is not installed (CI: {@code apt-get install -y chromium}).
 */
class DesignPageBrowserTest {

    private static final Path SHOTS = Path.of(System.getProperty("winnow.test.screenshots", "target/screenshots"));
    private static final Duration BREEDING = Duration.ofSeconds(120);

    @TempDir
    Path tmp;

    @Test
    void aDesignerBreedsRatesImportsClicksAndDownloadsTheChosenDesign() throws Exception {
        assumeTrue(Chromium.installed(), "Chromium is not installed at " + Chromium.BINARY
                + ": skipping the real-browser test of the design lab page (apt-get install -y chromium)");
        try (WinnowServer server = WinnowServer.start(ServerConfig.ephemeral(tmp.resolve("data")));
             Chromium chromium = Chromium.launch(tmp.resolve("chromium-profile"),
                     Path.of("target", "chromium", "design-chromium.log"))) {
            final Chromium.Page page = chromium.newPage(1920, 1080);
            final String url = server.httpUrl() + "design";
            page.navigate(url);
            page.eval("window.__errors = []; addEventListener('error', e => __errors.push(String(e.message)));"
                    + " addEventListener('unhandledrejection', e => __errors.push(String(e.reason)))");

            // a new designer: no studies yet, so the brief form is open with a sensible starting point
            page.waitFor("the brief form", "document.querySelectorAll('#b-families .opt').length >= 6"
                    + " && !document.getElementById('brief-form').classList.contains('hidden')");
            assertThat(page.text("document.getElementById('gallery').textContent")).contains("Start with a brief");
            assertThat(page.eval("document.querySelectorAll('#b-palette-preview .pc').length").asInt())
                    .as("the mood's colours are previewed").isGreaterThanOrEqualTo(5);
            assertThat(page.eval("document.querySelectorAll('#b-weights input[type=range]').length").asInt()).isEqualTo(7);
            page.screenshot(SHOTS.resolve("design-lab-brief.png"));

            // an invalid brief: refused, with the field marked and the reason beside it
            setValue(page, "b-maxColours", "9");
            page.eval("document.getElementById('create').click()");
            page.waitFor("the refusal on the max colours field",
                    "document.querySelector('.f.bad[data-field=maxColours] .why')");
            assertThat(page.text("document.querySelector('.f.bad[data-field=maxColours] .why').textContent"))
                    .contains("out of range");
            assertThat(page.text("document.getElementById('brief-error').textContent"))
                    .contains("Max colours").contains("maxColours");
            page.screenshot(SHOTS.resolve("design-lab-refused.png"));
            // another: a repeat range that is upside down
            setValue(page, "b-maxColours", "4");
            setValue(page, "b-repeatMin", "60");
            page.eval("document.getElementById('create').click()");
            page.waitFor("the refusal on the repeat field", "document.querySelector('.f.bad[data-field~=\"repeat.min\"] .why')");
            assertThat(page.eval("document.querySelectorAll('.f.bad').length").asInt()).as("only one field marked").isEqualTo(1);

            // a valid brief, with a mood and families chosen by clicking
            setValue(page, "b-repeatMin", "8");
            setValue(page, "b-name", "Browser heritage checks");
            page.eval("document.getElementById('b-mood').value = 'autumn';"
                    + " document.getElementById('b-mood').dispatchEvent(new Event('change'))");
            page.eval("document.querySelector('#b-families input[value=melange]').click()");
            page.eval("document.getElementById('create').click()");
            page.waitFor("the study to open", "document.getElementById('brief-form').classList.contains('hidden')"
                    + " && document.getElementById('study-name').textContent.includes('Browser heritage checks')");
            page.waitFor("the live connection", "document.getElementById('live-text').textContent === 'connected'");
            assertThat(page.text("document.getElementById('summary').textContent")).contains("melange").contains("autumn");
            assertThat(page.text("document.getElementById('gallery').textContent")).contains("Ready to breed");

            // three generations of 120 with live progress
            page.eval("window.__progress = []; new MutationObserver(() => __progress.push("
                    + "document.getElementById('progress-text').textContent + ' @' + document.getElementById('bar').style.width))"
                    + ".observe(document.getElementById('progress-text'), {childList: true, characterData: true, subtree: true})");
            setValue(page, "size", "120");
            setValue(page, "rounds", "3");
            page.eval("document.getElementById('breed').click()");
            page.waitFor("the first progress", "__progress.some(p => p.includes('designs bred'))", BREEDING);
            try { // best effort: catch the bar part-way for the picture
                page.waitFor("the bar part-way", "(() => { const b = document.querySelector('#breeding .progress div');"
                        + " return b && parseFloat(b.style.width) > 20 && parseFloat(b.style.width) < 100; })()",
                        Duration.ofSeconds(10));
            } catch (AssertionError tooFast) {
                // the generation finished between two polls
            }
            page.screenshot(SHOTS.resolve("design-lab-breeding.png"));
            page.waitFor("three generations", "document.querySelectorAll('#tabs [data-gen]').length === 3"
                    + " && !document.getElementById('breed').disabled", BREEDING);
            final JsonNode progress = page.eval("__progress");
            assertThat(progress.toString()).as("live progress while breeding").contains("/ 120 designs bred")
                    .contains("Generation 2");
            assertThat(page.text("document.getElementById('gen-head').textContent")).contains("Generation 2");
            page.waitFor("the gallery of generation 2", "document.querySelectorAll('#gallery .sw').length === 120"
                    + " && [...document.querySelectorAll('#gallery .sw img')].slice(0, 12).every(i => i.complete && i.naturalWidth > 0)");
            assertThat(page.text("document.getElementById('progress-text').textContent")).contains("best");

            // earlier generations are one click away
            page.eval("document.querySelector('#tabs [data-gen=\"0\"]').click()");
            page.waitFor("generation 0", "document.getElementById('gen-head').textContent.includes('Generation 0')"
                    + " && document.querySelectorAll('#gallery .sw').length === 120");
            page.eval("document.querySelector('#tabs [data-gen=\"2\"]').click()");
            page.waitFor("generation 2 again", "document.getElementById('gen-head').textContent.includes('Generation 2')");

            // hover: the scores and their reasons
            page.eval("(() => { const c = document.querySelectorAll('#gallery .sw')[5]; const r = c.getBoundingClientRect();"
                    + " c.dispatchEvent(new MouseEvent('mouseenter', {clientX: r.left + 40, clientY: r.top + 40}));"
                    + " c.dispatchEvent(new MouseEvent('mousemove', {clientX: r.left + 40, clientY: r.top + 40})); })()");
            page.waitFor("the tooltip", "getComputedStyle(document.getElementById('tip')).display === 'block'");
            assertThat(page.eval("document.querySelectorAll('#tip .score-row').length").asInt()).isGreaterThanOrEqualTo(6);
            final String tip = page.text("document.getElementById('tip').textContent");
            assertThat(tip).contains("harmony").contains("manufacturability").contains("novelty");
            assertThat(page.eval("[...document.querySelectorAll('#tip .score-row .r')].every(r => r.textContent.length > 3)")
                    .asBoolean()).as("every score has its reason").isTrue();
            assertThat(page.eval("(() => { const r = document.getElementById('tip').getBoundingClientRect();"
                    + " return r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight; })()").asBoolean())
                    .as("the tooltip stays on screen").isTrue();
            page.screenshot(SHOTS.resolve("design-lab-tooltip.png"));
            page.eval("document.querySelectorAll('#gallery .sw')[5].dispatchEvent(new MouseEvent('mouseleave'))");

            // open a bred design (one with parents): rate it, shortlist it, follow its lineage
            // parents are drawn from the last generation or from the archive's elites of any earlier one (ids are
            // s<study>-g<generation>-<n>); the page's data must be generation 2's
            page.waitFor("generation 2's designs in the page",
                    "designs.length === 120 && designs.every(d => d.generation === 2)");
            // about nine in ten are bred (the rest immigrants), and half the parents come from generation 1
            assertThat(page.eval("designs.filter(d => d.parents.length > 0).length").asInt())
                    .as("bred designs in generation 2").isGreaterThan(60);
            assertThat(page.eval("designs.some(d => d.parents.some(p => p.includes('-g1-')))").asBoolean())
                    .as("a child of generation 1 in generation 2").isTrue();
            assertThat(page.text("document.getElementById('gen-bred').textContent"))
                    .isEqualTo(page.eval("designs.filter(d => d.parents.length > 0).length").asInt() + " bred");
            // a child of the most recent generation that has one: its lineage shows that generation
            final String id = page.text("designs.find(d => d.parents.some(p => p.includes('-g1-'))).id");
            final String parentGen = page.text("(designs.find(d => d.id === '" + id + "').parents[0]"
                    + ".match(/-g(\\d+)-/) || [0, '?'])[1]");
            page.eval("document.querySelector('#gallery .sw[data-id=\"" + id + "\"]').click()");
            page.waitFor("the design panel", "document.querySelector('#detail .dhead') && document.querySelector('#detail .dhead').textContent.includes('" + id + "')"
                    + " && document.getElementById('detail-swatch').complete && document.getElementById('detail-swatch').naturalWidth > 0");
            assertThat(page.eval("document.querySelectorAll('#detail .scores .score-row').length").asInt()).isGreaterThanOrEqualTo(6);
            assertThat(page.eval("document.querySelectorAll('#lineage .gen').length").asInt())
                    .as("the design and at least its parents' generation").isGreaterThanOrEqualTo(2);
            assertThat(page.text("document.getElementById('lineage').textContent")).contains("gen 2")
                    .contains("gen " + parentGen);
            page.eval("document.querySelector('#detail .starbtn[data-rating=\"4\"]').click()");
            page.waitFor("the rating on the card", "document.querySelector('#gallery .sw[data-id=\"" + id + "\"] .star')"
                    + " && document.querySelector('#gallery .sw[data-id=\"" + id + "\"] .star').textContent === '★★★★'");
            assertThat(page.eval("document.querySelectorAll('#detail .starbtn.on').length").asInt()).isEqualTo(4);
            page.eval("document.getElementById('shortlist-btn').click()");
            page.waitFor("shortlisted", "document.getElementById('shortlist-btn').textContent.includes('Shortlisted')"
                    + " && document.querySelector('#gallery .sw[data-id=\"" + id + "\"]').classList.contains('listed')");
            // a second one, from its ancestors in the lineage view
            page.eval("document.querySelector('#lineage img:not(.self)').click()");
            page.waitFor("an ancestor opened", "!document.querySelector('#detail .dhead').textContent.includes('" + id + "')");
            final String ancestor = page.text("selected");
            assertThat(ancestor).matches("s\\d+-g[01]-\\d+");

            // downloads: WIF and production spec, from the page's own links
            assertThat(page.text("document.getElementById('dl-wif').getAttribute('download')")).isEqualTo(ancestor + ".wif");
            final String wif = page.text("fetch(document.getElementById('dl-wif').href).then(r => r.text())");
            assertThat(wif).startsWith("[WIF]").contains("[WARP]").contains("[TIEUP]").contains("[TREADLING]");
            final String spec = page.text("fetch(document.getElementById('dl-spec').href).then(r => r.text())");
            assertThat(spec).contains("WARP PLAN").contains("WARP THREAD BY THREAD");
            assertThat(page.text("fetch(document.getElementById('dl-spec').href).then(r => r.headers.get('content-disposition'))"))
                    .contains("attachment");

            // the market: import A/B clicks for three designs of generation 2
            page.eval("document.querySelector('#tabs [data-gen=\"2\"]').click()");
            page.waitFor("generation 2", "document.getElementById('gen-head').textContent.includes('Generation 2')"
                    + " && document.querySelectorAll('#gallery .sw').length === 120");
            page.eval("(() => { const ids = designs.slice(0, 3).map(d => d.id);"
                    + " document.getElementById('ab').value = 'design_id,impressions,clicks\\n' + ids[0] + ',2000,46\\n'"
                    + " + ids[1] + ',1800,95\\n' + ids[2] + ',900,12\\nnot-a-design,10,1\\n'; })()");
            final String best = page.text("designs[1].id");
            page.eval("document.getElementById('import-ab').click()");
            page.waitFor("the market ranking", "document.querySelectorAll('#market-table tr.mrow').length === 3");
            assertThat(page.text("document.getElementById('ab-result').textContent")).contains("Imported 3 designs")
                    .contains("not-a-design");
            assertThat(page.text("document.querySelector('#market-table tr.mrow').dataset.design"))
                    .as("the best click-through ranks first").isEqualTo(best);
            assertThat(page.text("document.getElementById('tab-market').className")).contains("active");
            page.screenshot(SHOTS.resolve("design-lab-market.png"));
            page.eval("document.querySelector('#market-table tr.mrow').click()");
            page.waitFor("the tested design's market line", "document.getElementById('detail').textContent.includes('clicks / 1800 impressions')");

            // the shortlist tab shows the chosen design
            page.eval("document.getElementById('tab-shortlist').click()");
            page.waitFor("the shortlist", "document.querySelector('#gallery .sw.listed[data-id=\"" + id + "\"]')");

            // a fourth generation bred with the ratings and the market, then the picture for the docs
            setValue(page, "rounds", "1");
            page.eval("document.getElementById('breed').click()");
            page.waitFor("generation 3", "document.querySelectorAll('#tabs [data-gen]').length === 4"
                    + " && !document.getElementById('breed').disabled && document.querySelectorAll('#gallery .sw').length === 120", BREEDING);
            page.eval("document.querySelectorAll('#gallery .sw')[0].click()");
            page.waitFor("the design panel", "document.getElementById('detail-swatch') && document.getElementById('detail-swatch').complete"
                    + " && document.getElementById('detail-swatch').naturalWidth > 0");
            page.waitFor("the thumbnails", "[...document.querySelectorAll('#gallery .sw img')].slice(0, 60).every(i => i.complete && i.naturalWidth > 0)");
            assertThat(page.eval("document.documentElement.scrollWidth <= innerWidth").asBoolean()).as("no horizontal overflow")
                    .isTrue();
            assertThat(page.eval("__errors").toString()).as("no script errors").isEqualTo("[]");
            final Path png = SHOTS.resolve("design-lab.png");
            page.eval("(() => { const c = document.querySelectorAll('#gallery .sw')[2]; const r = c.getBoundingClientRect();"
                    + " c.dispatchEvent(new MouseEvent('mouseenter', {clientX: r.left + 50, clientY: r.top + 50})); })()");
            Thread.sleep(300);
            page.screenshot(png);
            assertThat(Files.size(png)).isGreaterThan(50_000);
            page.eval("document.querySelectorAll('#gallery .sw')[2].dispatchEvent(new MouseEvent('mouseleave'))");
            page.resize(1280, 800);
            Thread.sleep(300);
            page.screenshot(SHOTS.resolve("design-lab-1280.png"));
            assertThat(page.eval("document.documentElement.scrollWidth <= innerWidth").asBoolean())
                    .as("no horizontal overflow at 1280x800").isTrue();
            // The README's screenshot is refreshed only when asked (-Dwinnow.test.docs=../docs): a test run must not
            // change tracked files.
            final String docsDir = System.getProperty("winnow.test.docs");
            if (docsDir != null && Files.isDirectory(Path.of(docsDir))) {
                Files.copy(png, Path.of(docsDir).resolve("design-lab.png"), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** Types into an input as a user would: sets the value and fires the input event. */
    private static void setValue(final Chromium.Page page, final String id, final String value) throws Exception {
        page.eval("(() => { const i = document.getElementById('" + id + "'); i.value = '" + value + "';"
                + " i.dispatchEvent(new Event('input', {bubbles: true})); })()");
    }
}
