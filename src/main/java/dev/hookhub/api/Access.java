package dev.hookhub.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Who may call a route, declared on the route itself (method, or class for all its methods). A route
 * without a declaration is refused to everyone by {@link AccessFilter}, and the route walk in the tests
 * fails: a forgotten declaration is never a public route.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface Access {

    Who value();

    /** The credential a route takes, and who checks it. */
    enum Who {
        /** Anyone: the route takes its credentials in the request to exchange them (token issuing), or needs none (a CORS preflight). */
        PUBLIC,
        /** The operator's admin token; checked by {@link AccessFilter} before the body is read. */
        OPERATOR,
        /** An API client's bearer token with any hookhub role; checked by {@link AccessFilter}. */
        READER,
        /** A bearer token with role Admin or Dispatcher; checked by {@link AccessFilter}. */
        WRITER,
        /** A bearer token with role Admin (the org's audit trail); checked by {@link AccessFilter}. */
        ADMIN,
        /** A bearer token, checked by the dialect in the order and shape its vendor documents. */
        DIALECT_TOKEN,
        /** An org's API key (x-api-key), checked by the dialect (Hi Marley checks it inside its delete statement). */
        API_KEY,
        /** The subscription's own signing secret in the body (ServiceStack), checked by the dialect on the locked row. */
        SUBSCRIPTION_SECRET
    }
}
