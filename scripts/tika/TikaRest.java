/*
 * A small HTTP front for Apache Tika 3.3.1's parsers, speaking the subset of the Tika server REST
 * API that Luna-IEMS uses: GET /version, PUT /tika (text, or XHTML with Accept: text/html),
 * PUT /rmeta[/text|/html|/xml|/ignore] (JSON metadata list with X-TIKA:content).
 *
 * WHY THIS EXISTS: Maven Central, as this build machine reaches it, serves Tika's parser jars
 * (tika-core, tika-parsers-standard-package) but not tika-server-standard / tika-server-core.
 * The parsing is Tika's own (AutoDetectParser, RecursiveParserWrapper, the standard content
 * handlers); only the HTTP layer is ours, mirroring tika-server's status codes (422 for encrypted
 * or unparseable documents, 415 for types without a parser). Where tika-server-standard can be
 * downloaded, run it instead: the Luna adapter speaks to both.
 *
 * Run: java -cp '<lib>/*' TikaRest.java <port>   (scripts/services does this)
 */
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.apache.tika.Tika;
import org.apache.tika.exception.EncryptedDocumentException;
import org.apache.tika.exception.TikaException;
import org.apache.tika.exception.UnsupportedFormatException;
import org.apache.tika.io.TikaInputStream;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.metadata.TikaCoreProperties;
import org.apache.tika.mime.MediaType;
import org.apache.tika.parser.AutoDetectParser;
import org.apache.tika.parser.ParseContext;
import org.apache.tika.parser.Parser;
import org.apache.tika.parser.RecursiveParserWrapper;
import org.apache.tika.sax.BasicContentHandlerFactory;
import org.apache.tika.sax.BodyContentHandler;
import org.apache.tika.sax.RecursiveParserWrapperHandler;
import org.apache.tika.sax.ToXMLContentHandler;

public class TikaRest {
  private static final AutoDetectParser PARSER = new AutoDetectParser();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String VERSION = new Tika().toString();

  public static void main(String[] args) throws IOException {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 9998;
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext("/", TikaRest::handle);
    server.start();
    System.err.println(VERSION + " REST front listening on 127.0.0.1:" + port);
  }

  private static void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    String method = ex.getRequestMethod();
    try {
      if (path.equals("/version") && method.equals("GET")) {
        send(ex, 200, "text/plain", VERSION);
      } else if (path.equals("/tika") && (method.equals("PUT") || method.equals("POST"))) {
        tika(ex);
      } else if (path.matches("/rmeta(/(text|html|xml|ignore))?") && (method.equals("PUT") || method.equals("POST"))) {
        rmeta(ex, path.equals("/rmeta") ? "xml" : path.substring("/rmeta/".length()));
      } else if (path.equals("/tika") || path.startsWith("/rmeta") || path.equals("/version")) {
        send(ex, 405, "text/plain", "method not allowed");
      } else {
        send(ex, 404, "text/plain", "not found");
      }
    } catch (Throwable t) {
      t.printStackTrace();
      try {
        send(ex, 500, "text/plain", String.valueOf(t));
      } catch (IOException ignored) {
        // the client has gone
      }
    } finally {
      ex.close();
    }
  }

  /** Content-Type and the file name from Content-Disposition become detection hints, as in tika-server. */
  private static Metadata requestMetadata(HttpExchange ex) {
    Metadata md = new Metadata();
    String type = ex.getRequestHeaders().getFirst("Content-Type");
    if (type != null && !type.isBlank() && !type.startsWith("application/octet-stream")) {
      md.set(Metadata.CONTENT_TYPE, type);
    }
    String disposition = ex.getRequestHeaders().getFirst("Content-Disposition");
    if (disposition != null) {
      var m = java.util.regex.Pattern.compile("filename\\*?=(?:UTF-8'')?\"?([^\";]+)\"?").matcher(disposition);
      if (m.find()) md.set(TikaCoreProperties.RESOURCE_NAME_KEY, URLDecoder.decode(m.group(1), StandardCharsets.UTF_8));
    }
    return md;
  }

  private static void tika(HttpExchange ex) throws IOException {
    String accept = String.valueOf(ex.getRequestHeaders().getFirst("Accept"));
    boolean xhtml = accept.contains("text/html") || accept.contains("text/xml") || accept.contains("application/xhtml");
    Metadata md = requestMetadata(ex);
    StringWriter out = new StringWriter();
    var handler = xhtml ? new ToXMLContentHandler() : new BodyContentHandler(out);
    try (InputStream body = ex.getRequestBody(); TikaInputStream tis = TikaInputStream.get(body)) {
      MediaType type = PARSER.getDetector().detect(tis, md);
      Map<MediaType, Parser> parsers = PARSER.getParsers();
      if (!parsers.containsKey(type) && !parsers.containsKey(type.getBaseType())) {
        send(ex, 415, "text/plain", "no parser for " + type);
        return;
      }
      PARSER.parse(tis, handler, md, new ParseContext());
    } catch (EncryptedDocumentException | UnsupportedFormatException e) {
      send(ex, 422, "text/plain", e.toString());
      return;
    } catch (TikaException e) {
      send(ex, 422, "text/plain", e.toString());
      return;
    } catch (org.xml.sax.SAXException e) {
      send(ex, 422, "text/plain", e.toString());
      return;
    }
    send(ex, 200, xhtml ? "text/html; charset=UTF-8" : "text/plain; charset=UTF-8", xhtml ? handler.toString() : out.toString());
  }

  private static void rmeta(HttpExchange ex, String handlerType) throws IOException {
    var type = BasicContentHandlerFactory.parseHandlerType(handlerType, BasicContentHandlerFactory.HANDLER_TYPE.XML);
    var handler = new RecursiveParserWrapperHandler(new BasicContentHandlerFactory(type, -1), -1);
    var wrapper = new RecursiveParserWrapper(PARSER);
    Metadata md = requestMetadata(ex);
    try (InputStream body = ex.getRequestBody(); TikaInputStream tis = TikaInputStream.get(body)) {
      wrapper.parse(tis, handler, md, new ParseContext());
    } catch (EncryptedDocumentException e) {
      send(ex, 422, "text/plain", e.toString());
      return;
    } catch (TikaException | org.xml.sax.SAXException e) {
      // As tika-server's /rmeta: the container's exception is recorded in its metadata, status 200.
      List<Metadata> list = handler.getMetadataList();
      if (list.isEmpty()) list.add(md);
      list.get(0).set(TikaCoreProperties.CONTAINER_EXCEPTION, e.toString());
    }
    List<Map<String, Object>> json = new ArrayList<>();
    for (Metadata m : handler.getMetadataList()) {
      Map<String, Object> o = new LinkedHashMap<>();
      for (String name : m.names()) {
        String[] values = m.getValues(name);
        o.put(name, values.length == 1 ? values[0] : values);
      }
      json.add(o);
    }
    send(ex, 200, "application/json; charset=UTF-8", JSON.writeValueAsString(json));
  }

  private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream os = ex.getResponseBody()) {
        os.write(bytes);
      }
    }
  }
}
