package psyche.kernel;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The dependencies (and repositories) of a pom.xml or of a bare {@code <dependencies>}/{@code <dependency>} fragment,
 * for {@code %%loadFromPOM}: coordinates {@code group:artifact[:type[:classifier]]:version} with {@code ${property}}
 * versions filled in from {@code <properties>}; test and provided scopes skipped.
 */
record PomDependencies(List<String> coordinates, Map<String, String> repositories) {
    private static final Pattern PROPERTY = Pattern.compile("\\$\\{([^}]+)}");

    static PomDependencies parse(String xml) {
        String text = xml.strip();
        if (text.startsWith("<?xml")) text = text.substring(text.indexOf("?>") + 2).strip();
        Document doc;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            // a fragment may hold several top-level elements: wrap it
            doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(("<pom>" + text + "</pom>").getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new Magics.MagicError("%%loadFromPOM: the cell is not well-formed XML: " + e.getMessage());
        }
        Map<String, String> properties = new LinkedHashMap<>();
        NodeList props = doc.getElementsByTagName("properties");
        for (int i = 0; i < props.getLength(); i++) {
            for (Node n = props.item(i).getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element e) properties.put(e.getTagName(), e.getTextContent().strip());
            }
        }
        List<String> coordinates = new ArrayList<>();
        NodeList deps = doc.getElementsByTagName("dependency");
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            if (d.getParentNode() instanceof Element p && p.getParentNode() instanceof Element pp
                    && pp.getTagName().equals("dependencyManagement")) continue;
            String scope = child(d, "scope", properties);
            if (scope.equals("test") || scope.equals("provided")) continue;
            String group = child(d, "groupId", properties);
            String artifact = child(d, "artifactId", properties);
            String version = child(d, "version", properties);
            if (group.isEmpty() || artifact.isEmpty() || version.isEmpty()) {
                throw new Magics.MagicError("%%loadFromPOM: a <dependency> needs groupId, artifactId and version (got "
                        + group + ":" + artifact + ":" + version + ")");
            }
            String type = child(d, "type", properties);
            String classifier = child(d, "classifier", properties);
            coordinates.add(group + ":" + artifact + (classifier.isEmpty() ? (type.isEmpty() ? "" : ":" + type)
                    : ":" + (type.isEmpty() ? "jar" : type) + ":" + classifier) + ":" + version);
        }
        Map<String, String> repositories = new LinkedHashMap<>();
        NodeList repos = doc.getElementsByTagName("repository");
        for (int i = 0; i < repos.getLength(); i++) {
            Element r = (Element) repos.item(i);
            String url = child(r, "url", properties);
            if (!url.isEmpty()) repositories.put(child(r, "id", properties).isEmpty() ? "repo" + i : child(r, "id", properties), url);
        }
        return new PomDependencies(List.copyOf(coordinates), Map.copyOf(repositories));
    }

    private static String child(Element parent, String tag, Map<String, String> properties) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                String v = e.getTextContent().strip();
                Matcher m = PROPERTY.matcher(v);
                StringBuilder out = new StringBuilder();
                while (m.find()) {
                    String value = properties.get(m.group(1));
                    if (value == null) throw new Magics.MagicError("%%loadFromPOM: ${" + m.group(1) + "} is not defined in <properties>");
                    m.appendReplacement(out, Matcher.quoteReplacement(value));
                }
                return m.appendTail(out).toString();
            }
        }
        return "";
    }
}
