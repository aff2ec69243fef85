"""Turns bench/results/latest.csv into latest.md (medians, ratios, targets) and latest.png (gnuplot)."""
import csv
import math
import os
import statistics
import subprocess
import sys
from collections import defaultdict

csv_path, out_dir, quick, duration, runs, connections = sys.argv[1:7]
rows = list(csv.DictReader(open(csv_path)))
values = defaultdict(list)
for r in rows:
    try:
        values[(r['scenario'], r['case'], r['metric'])].append(float(r['value']))
    except ValueError:  # a measurement that found nothing to measure: left out, not the whole report
        print(f'report: no value for {r["scenario"]} / {r["case"]} / {r["metric"]}', file=sys.stderr)


def median(scenario, case, metric):
    v = values.get((scenario, case, metric))
    return statistics.median(v) if v else None


def ceilings(case):
    """Each run's ceiling: the geometric mean of the measurements before and after the run's cases (the
    machine drifts within a run too); the one before alone where none was taken after."""
    before = values.get(('delete', case, 'rps'), [])
    after = values.get(('delete', case, 'rps after'), [])
    return [math.sqrt(b * after[i]) if i < len(after) else b for i, b in enumerate(before)]


def run_ratio(case, ceiling_case):
    """The median over the runs of each run's ratio to the ceiling measured in that same run: the
    machine's speed drifts between runs, and a ratio of medians would mix runs."""
    a = ceilings(case) if case.startswith('pgbench') else values.get(('delete', case, 'rps'), [])
    b = ceilings(ceiling_case)
    ratios = [x / y for x, y in zip(a, b) if y]
    return statistics.median(ratios) if ratios else None


def median_ceiling(case):
    c = ceilings(case)
    return statistics.median(c) if c else None


def fmt(x, digits=1):
    return '—' if x is None else f'{x:,.{digits}f}'


def verdict(ok):
    return '—' if ok is None else ('met' if ok else '**missed**')


# The delivery engine's settings of the run (bench/run.sh: the environment's HOOKHUB_DELIVERY_*, else HookhubConfig's defaults).
settings = os.environ.get('BENCH_DELIVERY_SETTINGS', '')
lines = ['# hookhub benchmark — latest results', '']
lines.append(f'Mode: {"quick smoke (tiny data; figures mean nothing)" if quick == "1" else "full"}; '
             f'{runs} run(s) of {duration} s per case at {connections} connections; medians of the runs. '
             'Load from wrk (a separate process); ceiling from pgbench running the delete core\'s own statement '
             'on the same database at the same concurrency, in the same run. Produced by `bench/run.sh`.')
lines.append('')

ceiling = median_ceiling('pgbench')
# A dialect whose delete is its own SQL (Hi Marley's statement checks its API key; ServiceStack's and Identity
# Cloud's transactions) has its own ceiling: pgbench running that. The others send the plain statement,
# whose ceiling is the first.
own = {case.split(' ', 1)[1]: median_ceiling(case)
       for case in sorted({k[1] for k in values if k[0] == 'delete' and k[1].startswith('pgbench ')})}
lines += ['## 1. Delete, per dialect and format', '',
          f'pgbench ceiling, the delete statement alone (what v1, m3ter and CRO send): '
          f'**{fmt(ceiling)} deletes/s**.']
for dialect, rps in own.items():
    lines.append(f'pgbench ceiling, {dialect}\'s own SQL: **{fmt(rps)} deletes/s** '
                 f'({fmt(run_ratio("pgbench " + dialect, "pgbench"), 2)} × the statement alone).')
lines += ['', 'Target: service ≥ 0.6 × pgbench running the same SQL transaction the service runs '
          '("× own ceiling"); "× statement" compares every dialect with the plain statement\'s ceiling. '
          'Each ratio is the median of the runs\' ratios, each run against its ceilings, measured before and after '
          'that run\'s cases (their geometric mean).', '',
          '| dialect | format | deletes/s | × own ceiling | × statement | p50 ms | p99 ms | non-2xx | target |',
          '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |']
chart = []
for case in sorted({k[1] for k in values if k[0] == 'delete' and not k[1].startswith('pgbench') and '70%' not in k[1]}):
    rps = median('delete', case, 'rps')
    dialect, fmt_name = case.split(' ')
    ratio = run_ratio(case, 'pgbench ' + dialect if dialect in own else 'pgbench')
    plain = run_ratio(case, 'pgbench')
    # 404s past the end of a used-up pool: that run's rate counts only the 2xx, a lower bound.
    used_up = any(v > 0 for v in values.get(('delete', case, 'non2xx'), []))
    lines.append(f'| {dialect} | {fmt_name} | {fmt(rps)} | {fmt(ratio, 2)} | {fmt(plain, 2)} | '
                 f'{fmt(median("delete", case, "p50"), 2)} | '
                 f'{fmt(median("delete", case, "p99"), 2)} | {fmt(median("delete", case, "non2xx"), 0)} | '
                 f'{verdict(None if ratio is None else ratio >= 0.6)}'
                 f'{" (a pool was used up: a lower bound)" if used_up else ""} |')
    chart.append((case.replace(' ', '-'), rps or 0))
paced = median('delete', 'v1 json at 70% of peak', 'p99')
lines += ['', f'p99 of v1 JSON deletes paced at 70 % of its peak: **{fmt(paced, 2)} ms** '
          f'(at {fmt(median("delete", "v1 json at 70% of peak", "rps"))} deletes/s). Target ≤ 25 ms: '
          f'{verdict(None if paced is None else paced <= 25)}.', '']

jb = median('msgpack', 'servicestack 100 history', 'json bytes')
mb = median('msgpack', 'servicestack 100 history', 'msgpack bytes')
jr = median('msgpack', 'servicestack 100 history json', 'rps')
mr = median('msgpack', 'servicestack 100 history msgpack', 'rps')
# Like scenario 1's: the median of each run's ratio, the two formats measured one after the other in that run.
h100_pairs = list(zip(values.get(('msgpack', 'servicestack 100 history msgpack', 'rps'), []),
                      values.get(('msgpack', 'servicestack 100 history json', 'rps'), [])))
h100_ratio = statistics.median([m / j for m, j in h100_pairs if j]) if h100_pairs else None
h100_used_up = any(v > 0 for f in ('json', 'msgpack')
                   for v in values.get(('msgpack', f'servicestack 100 history {f}', 'non2xx'), []))
lines += ['## 2. MessagePack vs JSON (ServiceStack answer with 100 history rows)', '',
          '| | JSON | MessagePack | ratio | target |', '| --- | ---: | ---: | ---: | --- |',
          f'| bytes per answer | {fmt(jb, 0)} | {fmt(mb, 0)} | {fmt(mb / jb if jb and mb else None, 2)} | ≤ 0.85: '
          f'{verdict(None if not (jb and mb) else mb / jb <= 0.85)} |',
          f'| deletes/s | {fmt(jr)} | {fmt(mr)} | {fmt(h100_ratio, 2)} | ≥ 0.95: '
          f'{verdict(None if h100_ratio is None else h100_ratio >= 0.95)}'
          f'{" (a pool was used up: not comparable)" if h100_used_up else ""} |', '',
          'The deletes/s ratio is the median of the runs\' own ratios (each run measures both formats, one after '
          'the other), as in scenario 1; the deletes/s columns are each format\'s median.', '']

drate = median('delivery', 'signed deliveries (fan-out 50)', 'rps')
dp50 = median('delivery', 'publish to first attempt at 500 events/s', 'p50')
dp99 = median('delivery', 'publish to first attempt at 500 events/s', 'p99')
devents = median('delivery', 'publish to first attempt at 500 events/s', 'events')
# The publisher is paced to 500 events/s on a fixed timetable; say what it reached.
dachieved = median('delivery', 'publish to first attempt at 500 events/s', 'publish rate')
lines += ['## 3. Delivery (fast local receiver: nginx answering 204)', '',
          f'Engine: {settings or "not recorded"}.', '',
          '| | value | target |', '| --- | ---: | --- |',
          f'| signed deliveries/s (300 events × 50 subscriptions, first to last attempt) | {fmt(drate)} | '
          f'≥ 4,000: {verdict(None if drate is None else drate >= 4000)} |',
          f'| events/s the publisher reached (paced to 500) | {fmt(dachieved)} | 500: '
          f'{verdict(None if dachieved is None else dachieved >= 475)} |',
          f'| publish → first attempt p50 at that rate | {fmt(dp50, 2)} ms | |',
          f'| publish → first attempt p99 at that rate | {fmt(dp99, 2)} ms | ≤ 250 ms at 500 events/s: '
          f'{verdict(None if dp99 is None or dachieved is None else (dp99 <= 250 if dachieved >= 475 else None))}'
          f'{"" if dachieved is None or dachieved >= 475 else " (not shown: the publisher did not reach 500 events/s)"} |', '']

small = median('growth', '10k subscriptions', 'p50')
big = median('growth', '1M subscriptions and 10M attempts', 'p50')
lines += ['## 4. Cost as data grows', '']
if small is None:
    lines += ['Skipped in quick mode.', '']
else:
    ratio = big / small if big and small else None
    sd = median('growth', '10k subscriptions', 'deliveries')
    bd = median('growth', '1M subscriptions and 10M attempts', 'deliveries')
    dratio = sd / bd if sd and bd else None
    lines += ['| data | delete p50 ms | deletes/s | deliveries/s (claim rate) |', '| --- | ---: | ---: | ---: |',
              f'| 10 thousand subscriptions | {fmt(small, 2)} | {fmt(median("growth", "10k subscriptions", "rps"))} | {fmt(sd)} |',
              f'| 1 million subscriptions, 10 million attempts | {fmt(big, 2)} | '
              f'{fmt(median("growth", "1M subscriptions and 10M attempts", "rps"))} | {fmt(bd)} |', '',
              f'Delete p50, large ÷ small: {fmt(ratio, 2)}; deliveries/s, small ÷ large: {fmt(dratio, 2)}. '
              f'Target within 1.3×: delete {verdict(None if ratio is None else ratio <= 1.3)}, '
              f'delivery {verdict(None if dratio is None else dratio <= 1.3)}. Plans: `bench/results/plans.txt`.', '']

start = median('startup', 'time to ready', 'ms')
idle = median('startup', 'idle rss', 'mb')
loaded = median('startup', 'rss under delete load', 'mb')
plain_start = median('startup', 'time to ready fast-jar without AOT cache', 'ms')
plain_idle = median('startup', 'idle rss fast-jar without AOT cache', 'mb')
service = os.environ.get('BENCH_SERVICE', 'the packaged jar')
lines += ['## 5. Start-up and memory (JVM, external PostgreSQL)', '',
          f'Every scenario ran the service as the {service}; JVM options `{os.environ.get("BENCH_JAVA_OPTS", "")}`, '
          f'`MALLOC_ARENA_MAX={os.environ.get("MALLOC_ARENA_MAX", "")}`. Start-ups are the median of several '
          'starts, each timed from process start to the first `/q/health/ready` answering UP.', '',
          '| | value | target |', '| --- | ---: | --- |',
          f'| process start → /q/health/ready UP | {fmt(start, 0)} ms | ≤ 2500 ms: {verdict(None if start is None else start <= 2500)} |']
if plain_start is not None:
    lines.append(f'| the same without the AOT cache (fast-jar on the machine\'s default java), for comparison | '
                 f'{fmt(plain_start, 0)} ms | not what the image runs |')
lines += [f'| resident memory, idle | {fmt(idle, 0)} MB | ≤ 300 MB: {verdict(None if idle is None else idle <= 300)} |']
if plain_idle is not None:
    lines.append(f'| resident memory, idle, without the AOT cache | {fmt(plain_idle, 0)} MB | ≤ 300 MB: '
                 f'{verdict(plain_idle <= 300)} |')
lines += [f'| resident memory, peak under scenario 1 | {fmt(loaded, 0)} MB | ≤ 300 MB: {verdict(None if loaded is None else loaded <= 300)} |',
          '']
purge_ms = median('retention', 'purge', 'time')
lines += ['## 6. Retention purge under a v1 delete load', '']
if purge_ms is None:
    lines += ['Not run.', '']
else:
    base_p99 = median('retention', 'v1 deletes without purge', 'p99')
    during_p99 = median('retention', 'v1 deletes during purge', 'p99')
    seeded_a = median('retention', 'rows seeded', 'attempts')
    seeded_e = median('retention', 'rows seeded', 'events')
    removed = {t: median('retention', 'rows removed', t) for t in ('events', 'deliveries', 'attempts', 'tombstones', 'audit')}
    lines += [f'Seeded past retention with SQL: {fmt(seeded_a, 0)} delivery attempts and {fmt(seeded_e, 0)} events with one '
              'finished delivery each (audit records a tenth of the events). One purge through '
              '`POST /v1/admin/retention/purge` while wrk sends v1 deletes at a fixed rate; the same load without a '
              'purge just before it.', '',
              '| | value | target |', '| --- | ---: | --- |',
              f'| purge time (the request, start to answer) | {fmt(purge_ms, 0)} ms | bounded |',
              '| rows removed (table counts before and after) | ' + ', '.join(
                  f'{t} {fmt(v, 0)}' for t, v in removed.items()) + ' | |',
              f'| v1 delete p99 without purge | {fmt(base_p99, 2)} ms | |',
              f'| v1 delete p99 during the purge | {fmt(during_p99, 2)} ms | ≤ 25 ms: '
              f'{verdict(None if during_p99 is None else during_p99 <= 25)} |', '']

off = sorted({k[1] for k in values if k[0] == 'offboarding'})
if off:
    lines += ['## 7. Offboarding an org beside another org\'s deliveries', '',
              '| org offboarded | DELETE → completed | other org\'s deliveries/s before | during |',
              '| --- | ---: | ---: | ---: |']
    for case in off:
        lines.append(f'| {case} | {fmt(median("offboarding", case, "time"), 0)} ms | '
                     f'{fmt(median("offboarding", case, "other org deliveries before"))} | '
                     f'{fmt(median("offboarding", case, "other org deliveries during"))} |')
    lines.append('')


def one_case(scenario):
    """The case of a scenario (one per run configuration); the first if a CSV holds more."""
    cases = sorted({k[1] for k in values if k[0] == scenario})
    return cases[0] if cases else None


def cpu_line(scenario, case):
    load = values.get((scenario, case, 'load average'))
    parts = [f'{name} {fmt(median(scenario, case, "cpu " + name), 2)}'
             for name in ('service', 'postgres', 'receiver', 'wrk', 'machine')
             if median(scenario, case, 'cpu ' + name) is not None]
    per = [f'{name} {fmt(median(scenario, case, "cpu per delivery " + name), 0)} µs'
           for name in ('service', 'postgres') if median(scenario, case, 'cpu per delivery ' + name) is not None]
    return ('cores used (medians): ' + ', '.join(parts) + ('; per delivery: ' + ', '.join(per) if per else '')
            + (f'; 1-minute load average {min(load):.1f}-{max(load):.1f}' if load else '')) if parts else ''


def runs_of(scenario, case, metric, digits=1):
    v = values.get((scenario, case, metric), [])
    return ' / '.join(fmt(x, digits) for x in v)


def rss_rows(scenario, case):
    """What the resident memory was before the case and is made of after it (run.sh, record_rss)."""
    parts = [median(scenario, case, 'rss at the end ' + k) for k in ('heap', 'classes', 'other')]
    rows = [f'| service resident memory before the case | {fmt(median(scenario, case, "rss before"), 0)} MB | '
            f'{runs_of(scenario, case, "rss before", 0)} | |']
    if all(x is not None for x in parts):
        rows.append(f'| resident at the end: Java heap (bounded by -Xmx), class data (AOT cache or CDS), the rest (code, '
                    f'metaspace, stacks, malloc) | {fmt(parts[0], 0)} + {fmt(parts[1], 0)} + {fmt(parts[2], 0)} MB | | |')
    return rows


slow_case = one_case('slow')
srate = median('slow', slow_case, 'rps') if slow_case else None
srss = median('slow', slow_case, 'rss peak') if slow_case else None
if slow_case:
    attempts = median('slow', slow_case, 'attempts')
    ok = median('slow', slow_case, 'succeeded')
    lines += ['## 8. Slow receivers (answering 204 after a delay; bench/Receiver.java)', '',
              f'{slow_case}, published in 2 s; deliveries/s from the first attempt to the last. '
              f'Engine: {settings or "not recorded"}.', '',
              '| | value (median) | runs | target |', '| --- | ---: | --- | --- |',
              f'| signed deliveries/s | {fmt(srate)} | {runs_of("slow", slow_case, "rps")} | ≥ 5,000: '
              f'{verdict(None if srate is None else srate >= 5000)} |',
              f'| attempts, of them answered 204 | {fmt(attempts, 0)}, {fmt(ok, 0)} | | all: '
              f'{verdict(None if attempts is None else ok == attempts)} |',
              f'| attempts in flight, peak (delivery table, every 200 ms) | {fmt(median("slow", slow_case, "in flight peak"), 0)} | '
              f'{runs_of("slow", slow_case, "in flight peak", 0)} | |',
              f'| attempts in flight, mean of the samples | {fmt(median("slow", slow_case, "in flight mean"), 0)} | '
              f'{runs_of("slow", slow_case, "in flight mean", 0)} | |',
              f'| an attempt (receiver and request), mean | {fmt(median("slow", slow_case, "attempt duration mean"), 1)} ms | '
              f'{runs_of("slow", slow_case, "attempt duration mean", 1)} | |',
              f'| then until recorded (completed_at), mean | {fmt(median("slow", slow_case, "recording after the attempt mean"), 1)} ms | '
              f'{runs_of("slow", slow_case, "recording after the attempt mean", 1)} | |',
              f'| requests the receiver held at once, peak | {fmt(median("slow", slow_case, "receiver open peak"), 0)} | | |',
              f'| connections to the receiver, peak | {fmt(median("slow", slow_case, "receiver connections peak"), 0)} | | |',
              f'| service resident memory, peak during the case | {fmt(srss, 0)} MB | {runs_of("slow", slow_case, "rss peak", 0)} | '
              f'≤ 300 MB: {verdict(None if srss is None else srss <= 300)} |'] + rss_rows('slow', slow_case) + ['',
              cpu_line('slow', slow_case), '']

hang_case = one_case('hanging')
hp99 = median('hanging', hang_case, 'healthy p99') if hang_case else None
hrate = median('hanging', hang_case, 'publish rate') if hang_case else None
# Healthy events never attempted before the wait for them ended are not in the p99: the target is then missed.
hmissing = (median('hanging', hang_case, 'events') or 0) - (median('hanging', hang_case, 'healthy first attempts') or 0) \
    if hang_case else 0
hoffered = float(hang_case.split(' at ')[1].split(' ')[0]) if hang_case else None
hreached = None if hrate is None else hrate >= 0.95 * hoffered
# Judged only at the offered rate (as scenario 3's p99): a publisher held back by a busy machine offers less load.
hok = None if hp99 is None or not hreached else (hp99 <= 250 and hmissing <= 0)
hnote = '' if hp99 is None or hreached else ' (not judged: the publisher did not reach the offered rate)'
if hang_case:
    lines += ['## 9. Hanging endpoints beside healthy ones', '',
              f'{hang_case}: each event to one hanging subscription (its receiver never answers; the attempt ends at '
              f'the service\'s deadline) and one answering 204 at once. Engine: {settings or "not recorded"}.', '',
              '| | value (median) | runs | target |', '| --- | ---: | --- | --- |',
              f'| events/s the publisher reached | {fmt(hrate)} | {runs_of("hanging", hang_case, "publish rate")} | '
              f'as offered: {verdict(hreached)} |',
              f'| healthy: publish → first attempt p50 | {fmt(median("hanging", hang_case, "healthy p50"), 2)} ms | '
              f'{runs_of("hanging", hang_case, "healthy p50", 2)} | |',
              f'| healthy: publish → first attempt p99 | {fmt(hp99, 2)} ms | {runs_of("hanging", hang_case, "healthy p99", 2)} | '
              f'≤ 250 ms: {verdict(hok)}{hnote} |',
              f'| healthy events attempted, of events published | {fmt(median("hanging", hang_case, "healthy first attempts"), 0)} of '
              f'{fmt(median("hanging", hang_case, "events"), 0)} | | all: {verdict(hmissing <= 0)}'
              f'{" (the p99 is of those attempted only)" if hmissing > 0 else ""} |',
              f'| hanging: attempts in flight, peak (delivery table) | {fmt(median("hanging", hang_case, "hanging in flight peak"), 0)} | '
              f'{runs_of("hanging", hang_case, "hanging in flight peak", 0)} | |',
              f'| hanging: requests the receiver held, peak | {fmt(median("hanging", hang_case, "receiver hanging peak"), 0)} | | |',
              f'| healthy: attempts in flight, peak | {fmt(median("hanging", hang_case, "healthy in flight peak"), 0)} | | |',
              f'| service resident memory, peak | {fmt(median("hanging", hang_case, "rss peak"), 0)} MB | '
              f'{runs_of("hanging", hang_case, "rss peak", 0)} | |'] + rss_rows('hanging', hang_case) + ['',
              cpu_line('hanging', hang_case) + ' (during the publishing)', '']

if drate is not None or slow_case or hang_case:
    lines += ['## Delivery targets (issue 20)', '',
              f'Engine: {settings or "not recorded"}.', '',
              '| figure | value | target |', '| --- | ---: | --- |',
              f'| 3. fast receiver (nginx): signed deliveries/s | {fmt(drate)} | ≥ 4,000: '
              f'{verdict(None if drate is None else drate >= 4000)} |',
              f'| 8. slow receivers (100 ms): signed deliveries/s | {fmt(srate)} | ≥ 5,000: '
              f'{verdict(None if srate is None else srate >= 5000)} |',
              f'| 8. slow receivers: service peak RSS | {fmt(srss, 0)} MB | ≤ 300 MB: '
              f'{verdict(None if srss is None else srss <= 300)} |',
              f'| 9. hanging endpoints: healthy publish → first attempt p99 | {fmt(hp99, 2)} ms | ≤ 250 ms: '
              f'{verdict(hok)}{hnote}{" (not every healthy event was attempted)" if hmissing > 0 else ""} |', '']
open(f'{out_dir}/latest.md', 'w').write('\n'.join(lines) + '\n')

data = f'{out_dir}/.chart.dat'
with open(data, 'w') as f:
    f.write(f'pgbench {ceiling or 0}\n')
    for name, rps in chart:
        f.write(f'{name} {rps}\n')
script = f'''
set terminal png size 1100,520 font ",10"
set output "{out_dir}/latest.png"
set title "hookhub deletes/s per dialect and format vs the pgbench ceiling (medians)"
set style fill solid 0.8
set boxwidth 0.7
set xtics rotate by -35
set ylabel "deletes/s"
set yrange [0:*]
set grid ytics
plot "{data}" using 0:2:xtic(1) with boxes notitle lc rgb "#3b7dd8", \
     {(ceiling or 0) * 0.6} with lines dt 2 lw 2 lc rgb "#d83b3b" title "0.6 × pgbench"
'''
subprocess.run(['gnuplot'], input=script.encode(), check=True)
os.remove(data)
