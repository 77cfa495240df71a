// TEST-ONLY shim. Why it exists: auditsight's tests run the minimal Elasticsearch distribution from Maven
// Central (the integ-test-zip), which has x-pack security but not the analysis-common module. Security
// creates its .security index (API keys, native users) with an "email" analyzer built from three
// components of that module (SecuritySystemIndices#getMainIndexSettings, same in 8.19 and 9.2):
//   tokenizer uax_url_email, token filters pattern_capture and unique ("lowercase" is built into the server)
// so without them every API key request fails with "Unknown filter type [pattern_capture] for [email]".
// This plugin registers exactly those three names, backed by the Lucene classes the distribution already
// ships in lib/lucene-analysis-common-*.jar (plus a ten-line "unique" filter: analysis-common's own is not
// in Lucene). A real cluster has analysis-common and never needs this. Compiled by ../build.ts with javac
// against the distribution's own jars; the same source compiles for 8.x and 9.x (interfaces only).
package auditsight.esshim;

import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.email.UAX29URLEmailTokenizer;
import org.apache.lucene.analysis.pattern.PatternCaptureGroupTokenFilter;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

public class AnalysisShimPlugin extends Plugin implements AnalysisPlugin {
    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        return Map.of("uax_url_email", (indexSettings, env, name, settings) -> {
            int max = settings.getAsInt("max_token_length", StandardAnalyzer.DEFAULT_MAX_TOKEN_LENGTH);
            return TokenizerFactory.newFactory(name, () -> {
                UAX29URLEmailTokenizer tokenizer = new UAX29URLEmailTokenizer();
                tokenizer.setMaxTokenLength(max);
                return tokenizer;
            });
        });
    }

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        return Map.of(
            "pattern_capture", AnalysisPlugin.requiresAnalysisSettings((indexSettings, env, name, settings) -> {
                Pattern[] patterns = settings.getAsList("patterns").stream().map(Pattern::compile).toArray(Pattern[]::new);
                boolean preserveOriginal = settings.getAsBoolean("preserve_original", true);
                return filter(name, in -> new PatternCaptureGroupTokenFilter(in, preserveOriginal, patterns));
            }),
            "unique", (indexSettings, env, name, settings) -> filter(name, Unique::new));
    }

    private static TokenFilterFactory filter(String name, UnaryOperator<TokenStream> create) {
        return new TokenFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public TokenStream create(TokenStream in) {
                return create.apply(in);
            }
        };
    }

    /** analysis-common's "unique" (default mode): drops a token whose term was already seen in the stream. */
    static final class Unique extends TokenFilter {
        private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
        private final CharArraySet seen = new CharArraySet(8, false);

        Unique(TokenStream in) {
            super(in);
        }

        @Override
        public boolean incrementToken() throws java.io.IOException {
            while (input.incrementToken()) {
                if (seen.contains(term.buffer(), 0, term.length())) continue;
                seen.add(term.toString());
                return true;
            }
            return false;
        }

        @Override
        public void reset() throws java.io.IOException {
            super.reset();
            seen.clear();
        }
    }
}
