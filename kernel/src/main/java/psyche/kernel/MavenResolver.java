package psyche.kernel;

import org.apache.maven.repository.internal.MavenRepositorySystemUtils;
import org.eclipse.aether.DefaultRepositorySystemSession;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.repository.LocalRepository;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.resolution.DependencyResolutionException;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.util.artifact.JavaScopes;
import org.eclipse.aether.util.filter.DependencyFilterUtils;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code %maven group:artifact:version}: resolves an artifact and its runtime dependencies with Maven's own
 * resolver, using the local repository ({@code ~/.m2/repository}, or {@code -Dpsyche.kernel.m2}) first and
 * Maven Central ({@code -Dpsyche.kernel.mavenRepo} to override) for what is missing.
 */
final class MavenResolver {
    private final RepositorySystem system = new RepositorySystemSupplier().get();
    private final DefaultRepositorySystemSession session;
    private final RemoteRepository central;
    private final List<RemoteRepository> repositories = new ArrayList<>();

    MavenResolver() {
        session = MavenRepositorySystemUtils.newSession();
        Path local = Path.of(System.getProperty("psyche.kernel.m2",
                Magics.home("~/.m2/repository").toString())); // $HOME, as Maven itself reads it
        session.setLocalRepositoryManager(system.newLocalRepositoryManager(session, new LocalRepository(local.toFile())));
        session.setSystemProperties(System.getProperties());
        central = new RemoteRepository.Builder("central", "default",
                System.getProperty("psyche.kernel.mavenRepo", "https://repo.maven.apache.org/maven2/")).build();
        repositories.add(central);
    }

    /** A further remote repository (%mavenRepo), searched after the ones before it. */
    void addRepository(String id, String url) {
        if (!url.matches("(?i)(https?|file)://.+")) throw new Magics.MagicError("%mavenRepo: '" + url + "' is not an http(s) or file URL");
        repositories.removeIf(r -> r.getId().equals(id));
        repositories.add(new RemoteRepository.Builder(id, "default", url).build());
    }

    /** Jar files of {@code coordinates} and their runtime dependencies, in resolution order. */
    List<Path> resolve(String coordinates) {
        DefaultArtifact artifact;
        try {
            artifact = new DefaultArtifact(coordinates);
        } catch (IllegalArgumentException e) {
            throw new Magics.MagicError("%maven: '" + coordinates
                    + "' is not group:artifact[:extension[:classifier]]:version, e.g. org.apache.commons:commons-lang3:3.17.0");
        }
        CollectRequest collect = new CollectRequest(new Dependency(artifact, JavaScopes.RUNTIME), List.copyOf(repositories));
        DependencyRequest request = new DependencyRequest(collect, DependencyFilterUtils.classpathFilter(JavaScopes.RUNTIME));
        try {
            List<Path> jars = new ArrayList<>();
            for (ArtifactResult r : system.resolveDependencies(session, request).getArtifactResults()) {
                if (r.getArtifact() != null && r.getArtifact().getFile() != null) jars.add(r.getArtifact().getFile().toPath());
            }
            return jars;
        } catch (DependencyResolutionException e) {
            String why = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
            throw new Magics.MagicError("%maven " + coordinates + ": not resolved (" + why + "); check the coordinates, and that "
                    + repositories.stream().map(RemoteRepository::getUrl).collect(java.util.stream.Collectors.joining(" or "))
                    + " is reachable (%mavenRepo adds one)");
        }
    }
}
