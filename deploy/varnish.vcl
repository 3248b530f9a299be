# Varnish in front of smartspec replicas (Varnish 6 or 7). Every replica of one data version
# answers with the same bytes and strong ETags, so the replica that fills the cache does not
# matter; versioned URLs (`v=`) are immutable and everything else is fresh for a minute and
# then revalidated with its ETag, as the replicas' Cache-Control says.
#
# Run with `-p http_gzip_support=off`: the replicas compress (gzip and brotli) themselves and
# say `Vary: Accept, Accept-Encoding`; Varnish's own gzip handling would re-encode bodies and
# weaken their ETags. The ports below are the replicas' `--addr`.
vcl 4.1;

import directors;

probe ready {
    .url = "/ready";
    .interval = 1s;
    .timeout = 1s;
    .window = 3;
    .threshold = 2;
}

backend replica1 {
    .host = "127.0.0.1";
    .port = "8081";
    .probe = ready;
}

backend replica2 {
    .host = "127.0.0.1";
    .port = "8082";
    .probe = ready;
}

sub vcl_init {
    new replicas = directors.round_robin();
    replicas.add_backend(replica1);
    replicas.add_backend(replica2);
}

sub vcl_recv {
    set req.backend_hint = replicas.backend();
    # Status, readiness and counters are per replica: never from the cache.
    if (req.url ~ "^/(health|ready|metrics)(\?|$)") {
        return (pass);
    }
    # One variant per coding the replicas make, whatever list the client sent.
    if (req.http.Accept-Encoding ~ "\bbr\b") {
        set req.http.Accept-Encoding = "br";
    } elsif (req.http.Accept-Encoding ~ "\bgzip\b") {
        set req.http.Accept-Encoding = "gzip";
    } else {
        unset req.http.Accept-Encoding;
    }
    # Answers are the same for every Origin (CORS `*`) and use no cookies.
    unset req.http.Cookie;
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
