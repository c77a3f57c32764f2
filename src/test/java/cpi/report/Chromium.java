package cpi.report;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Headless Chromium for report tests (Debian's {@code chromium}; {@code tools/ci/install-chromium.sh}
 * installs it). Runs offline: background networking off and every host name unresolvable, so a report
 * that needed the network would show broken images or console errors.
 */
final class Chromium {
    private final Path binary;

    private Chromium(Path binary) {
        this.binary = binary;
    }

    /** The browser, or: on CI (env CI set) a test failure, locally a skipped test, each saying how to fix it. */
    static Chromium require() {
        Path found = find();
        if (found != null) {
            return new Chromium(found);
        }
        String how = "install it with tools/ci/install-chromium.sh (or apt-get install chromium), or point "
                + "CPI_CHROMIUM at a Chromium/Chrome binary";
        String ci = System.getenv("CI");
        if (ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false")) {
            fail("headless Chromium not found but CI is set: " + how);
        }
        String msg = "headless Chromium not found; skipping the browser test: " + how;
        System.err.println("[cpi] " + msg); // visible in the build log, not only in surefire's XML
        Assumptions.abort(msg);
        return null;
    }

    static Path find() {
        String env = System.getenv("CPI_CHROMIUM");
        if (env != null && !env.isBlank()) {
            // An explicit choice wins; a wrong one means "not found" (also how to rehearse the skip/fail path).
            return Files.isExecutable(Path.of(env)) ? Path.of(env) : null;
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String name : List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")) {
            for (String dir : path.split(File.pathSeparator)) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    /** What one browser run left behind: the DOM after load (for --dump-dom) and the browser's log. */
    record Result(int exitCode, String dom, String log) {
        /** Lines the page wrote to the console (Chromium logs them as ":CONSOLE"). */
        List<String> consoleLines() {
            return log.lines().filter(l -> l.contains(":CONSOLE")).toList();
        }
    }

    Result dumpDom(String url, Path work) throws IOException, InterruptedException {
        return run(work, List.of("--dump-dom", url));
    }

    Result screenshot(String url, Path png, int width, int height, Path work) throws IOException, InterruptedException {
        Files.createDirectories(png.toAbsolutePath().getParent());
        return run(work, List.of("--hide-scrollbars", "--window-size=" + width + "," + height,
                "--screenshot=" + png.toAbsolutePath(), url));
    }

    private Result run(Path work, List<String> extra) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(work, "chromium-profile");
        Path out = work.resolve("chromium-" + System.nanoTime() + ".out");
        Path err = work.resolve("chromium-" + System.nanoTime() + ".err");
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--host-resolver-rules=MAP * ~NOTFOUND",
                "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0"));
        cmd.addAll(extra);
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail("chromium did not finish within 90 s: " + String.join(" ", cmd));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
