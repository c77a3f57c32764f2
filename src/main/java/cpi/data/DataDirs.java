package cpi.data;

import cpi.util.UserError;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the dataset files live: {@code --data-dir}, else {@code $CPI_DATA}, else {@code ../shared/data}
 * (relative to the working directory) when present. The cpi-eval files have no licence, so they are never
 * bundled; the user points cpi at a copy.
 */
public final class DataDirs {
    public static final String ENV = "CPI_DATA";

    private DataDirs() {}

    /** The data directory to use; a UserError saying where to put the files when none is found. */
    public static Path resolve(Path flag) {
        return resolve(flag, System.getenv(ENV), Path.of("").toAbsolutePath());
    }

    static Path resolve(Path flag, String env, Path cwd) {
        if (flag != null) {
            if (!Files.isDirectory(flag)) {
                throw new UserError("--data-dir " + flag + " is not a directory (point it at the folder holding "
                        + "cpi-eval/, memotrap/, conflictqa-strategyqa/)");
            }
            return flag;
        }
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            if (!Files.isDirectory(p)) {
                throw new UserError("$" + ENV + "=" + env + " is not a directory (point it at the folder holding "
                        + "cpi-eval/, memotrap/, conflictqa-strategyqa/)");
            }
            return p;
        }
        for (Path p = cwd; p != null; p = p.getParent()) {
            Path shared = p.resolve("../shared/data").normalize();
            if (Files.isDirectory(shared)) {
                return shared;
            }
            if (Files.isDirectory(p.resolve("shared/data"))) {
                return p.resolve("shared/data");
            }
        }
        throw new UserError("no data directory: pass --data-dir DIR or set $" + ENV + " to a folder with "
                + "cpi-eval/ (world_facts.json, country_capitals_only.json, famous_biographies.jsonl from "
                + "github.com/locuslab/context-parametric-inversion), memotrap/ and conflictqa-strategyqa/");
    }
}
