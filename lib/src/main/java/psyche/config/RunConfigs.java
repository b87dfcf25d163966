package psyche.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Reads and writes Psyche run configs ({@code config.toml}) and centralized {@code state.toml} files. Strict entry
 * points ({@link #read}, {@link #parse}) throw {@link ConfigException} listing every problem; the lenient
 * {@link #load} returns the problems as data so a caller can show them all at once.
 */
public final class RunConfigs {
    private RunConfigs() {}

    /** Reads a config file; throws {@link ConfigException} when it is missing, malformed or off-schema. */
    public static RunConfig read(Path path) {
        return orThrow(TomlConfigReader.readConfig(readText(path)), path.toString());
    }

    /** Parses config TOML text; throws {@link ConfigException} when it is malformed or off-schema. */
    public static RunConfig parse(String toml) {
        return orThrow(TomlConfigReader.readConfig(toml), "config");
    }

    /** Reads leniently: the config if it maps onto the schema, and every problem found. Throws only for I/O. */
    public static LoadedConfig load(Path path) {
        return loadString(readText(path));
    }

    /** Parses leniently: the config if it maps onto the schema, and every problem found. Never throws. */
    public static LoadedConfig loadString(String toml) {
        TomlConfigReader.Result<RunConfig> r = TomlConfigReader.readConfig(toml);
        return new LoadedConfig(r.value(), r.violations());
    }

    /** TOML that Psyche (and {@link #parse}) reads back as an equal config. */
    public static String toToml(RunConfig config) {
        return TomlConfigWriter.write(config);
    }

    public static CentralizedState readState(Path path) {
        return orThrow(TomlConfigReader.readState(readText(path)), path.toString());
    }

    public static CentralizedState parseState(String toml) {
        return orThrow(TomlConfigReader.readState(toml), "state");
    }

    public static String toToml(CentralizedState state) {
        return TomlConfigWriter.write(state);
    }

    /** Writes {@code config} to {@code path} as TOML. */
    public static void write(RunConfig config, Path path) {
        try {
            Files.writeString(path, toToml(config), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw ConfigException.unreadable("cannot write config to " + path + ": " + e.getMessage()
                    + " (check the directory exists and is writable)", e);
        }
    }

    static String readText(Path path) {
        try {
            byte[] bytes = InputFiles.read(path, InputFiles.MAX_CONFIG_BYTES, "config file");
            psyche.reports.ProvenanceLog.input("config", path);
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            throw ConfigException.unreadable("config file not found: " + path
                    + " (check the path; it is resolved against " + Path.of("").toAbsolutePath() + ")", e);
        } catch (CharacterCodingException e) {
            throw ConfigException.unreadable("config file is not UTF-8 text: " + path, e);
        } catch (InputFiles.Refused e) {
            throw ConfigException.unreadable(e.getMessage(), e);
        } catch (IOException e) {
            throw ConfigException.unreadable("cannot read config file " + path + ": " + e, e);
        }
    }

    private static <T> T orThrow(TomlConfigReader.Result<T> r, String source) {
        List<Violation> errors = r.violations().stream().filter(Violation::isError).toList();
        Optional<T> value = r.value();
        if (errors.isEmpty() && value.isPresent()) return value.get();
        Violation first = errors.isEmpty() ? null : errors.get(0);
        String keyPath = first == null || first.keyPath().isEmpty() ? null : first.keyPath();
        StringBuilder message = new StringBuilder(source).append(": ").append(errors.size())
                .append(errors.size() == 1 ? " problem" : " problems");
        for (Violation v : errors) {
            message.append("\n  ").append(v.keyPath().isEmpty() ? "" : v.keyPath() + ": ").append(v.rule())
                    .append(" (fix: ").append(v.fix()).append(')');
        }
        throw new ConfigException(message.toString(), r.syntaxLine(), r.syntaxColumn(), keyPath, errors, null);
    }
}
