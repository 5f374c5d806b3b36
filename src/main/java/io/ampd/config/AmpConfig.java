package io.ampd.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The whole configuration, validated; paths are absolute (resolved against the config file's
 * folder, or the amp dir when solo runs without a file).
 */
public record AmpConfig(
    Optional<Path> file,
    Path dataDir,
    Path providersDir,
    Path manifestsDir,
    HostPort adminApiAddr,
    HostPort flightAddr,
    HostPort jsonlAddr,
    MetadataDbConfig metadataDb,
    ControllerConfig controller,
    WorkerConfig worker,
    ServerConfig server) {}
