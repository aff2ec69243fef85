package dev.hookhub.api.compat.servicestack;

import java.util.Map;

/**
 * .NET's {@code System.Net.HttpStatusCode} member names, as ServiceStack serializes the enum. Where .NET
 * has two names for one code (Ambiguous/MultipleChoices, Moved/MovedPermanently, Redirect/Found,
 * RedirectMethod/SeeOther, RedirectKeepVerb/TemporaryRedirect, UnprocessableContent/UnprocessableEntity)
 * the first documented one is used. A code .NET has no member for is written as its number, as
 * {@code Enum.ToString()} does.
 */
final class HttpStatusCodeNames {

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(100, "Continue"), Map.entry(101, "SwitchingProtocols"), Map.entry(102, "Processing"),
            Map.entry(103, "EarlyHints"),
            Map.entry(200, "OK"), Map.entry(201, "Created"), Map.entry(202, "Accepted"),
            Map.entry(203, "NonAuthoritativeInformation"), Map.entry(204, "NoContent"),
            Map.entry(205, "ResetContent"), Map.entry(206, "PartialContent"), Map.entry(207, "MultiStatus"),
            Map.entry(208, "AlreadyReported"), Map.entry(226, "IMUsed"),
            Map.entry(300, "MultipleChoices"), Map.entry(301, "MovedPermanently"), Map.entry(302, "Found"),
            Map.entry(303, "SeeOther"), Map.entry(304, "NotModified"), Map.entry(305, "UseProxy"),
            Map.entry(306, "Unused"), Map.entry(307, "TemporaryRedirect"), Map.entry(308, "PermanentRedirect"),
            Map.entry(400, "BadRequest"), Map.entry(401, "Unauthorized"), Map.entry(402, "PaymentRequired"),
            Map.entry(403, "Forbidden"), Map.entry(404, "NotFound"), Map.entry(405, "MethodNotAllowed"),
            Map.entry(406, "NotAcceptable"), Map.entry(407, "ProxyAuthenticationRequired"),
            Map.entry(408, "RequestTimeout"), Map.entry(409, "Conflict"), Map.entry(410, "Gone"),
            Map.entry(411, "LengthRequired"), Map.entry(412, "PreconditionFailed"),
            Map.entry(413, "RequestEntityTooLarge"), Map.entry(414, "RequestUriTooLong"),
            Map.entry(415, "UnsupportedMediaType"), Map.entry(416, "RequestedRangeNotSatisfiable"),
            Map.entry(417, "ExpectationFailed"), Map.entry(421, "MisdirectedRequest"),
            Map.entry(422, "UnprocessableEntity"), Map.entry(423, "Locked"), Map.entry(424, "FailedDependency"),
            Map.entry(426, "UpgradeRequired"), Map.entry(428, "PreconditionRequired"),
            Map.entry(429, "TooManyRequests"), Map.entry(431, "RequestHeaderFieldsTooLarge"),
            Map.entry(451, "UnavailableForLegalReasons"),
            Map.entry(500, "InternalServerError"), Map.entry(501, "NotImplemented"), Map.entry(502, "BadGateway"),
            Map.entry(503, "ServiceUnavailable"), Map.entry(504, "GatewayTimeout"),
            Map.entry(505, "HttpVersionNotSupported"), Map.entry(506, "VariantAlsoNegotiates"),
            Map.entry(507, "InsufficientStorage"), Map.entry(508, "LoopDetected"), Map.entry(510, "NotExtended"),
            Map.entry(511, "NetworkAuthenticationRequired"));

    private HttpStatusCodeNames() {
    }

    /** The name of the code; null (absent on the wire) when there was no response. */
    static String of(Integer code) {
        return code == null ? null : NAMES.getOrDefault(code, Integer.toString(code));
    }
}
