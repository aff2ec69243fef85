package dev.hookhub.api.compat.himarley;

import dev.hookhub.subscription.DeletedSubscription;

/** A deleted subscription as the Hi Marley registration it was. */
final class HiMarleyMapper {

    private HiMarleyMapper() {
    }

    /** EVENT is the first event type, EVENT_ID its per-org number (assigned when the type was first used). */
    static HiMarleyDtos.Unregistered unregistered(DeletedSubscription s) {
        return new HiMarleyDtos.Unregistered(s.id().toString(), s.events().get(0), s.orgId().toString(),
                new HiMarleyDtos.RegisteredPayload(s.firstEventNumber(), s.url(), s.headers()));
    }
}
