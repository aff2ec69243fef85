package dev.hookhub.tenancy;

/**
 * Who asked for a change to a credential, as its audit record keeps it: the actor, the surface the request
 * came through and the peer's address (null when the transport has none).
 */
public record Requester(String actor, String surface, String remoteAddress) {

    /** The actor of every change made with the admin token. */
    public static final String OPERATOR = "operator";

    public static Requester operator(String surface, String remoteAddress) {
        return new Requester(OPERATOR, surface, remoteAddress);
    }
}
