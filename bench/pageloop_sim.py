#!/usr/bin/env python3
"""Replay a load's page loop on idle cores (issue 18).

On a shared machine the wall time of `recon snapshot` says more about the
other processes than about the loader, and CPU seconds say nothing about
how well the threads overlap. So `RECON_PAGE_TRACE=FILE recon snapshot ...`
writes, per page, the CPU nanoseconds of its three steps (read, hash, parse
and convert on a reader thread; the ordered digest step; the insert on the
inserting thread) and its bytes, and this script replays them on C idle
cores: processor sharing, each thread at most one core, the read-ahead
ring of src/fetch/raw.c (AHEAD_PAGES slots, AHEAD_BYTES ceiling), and the
two ways the digest step can be taken:

  turn   a reader waits until the page before its own is through the digest
         step (recon before issue 18's branch ldovl)
  comb   whichever reader finds the next page converted takes it, and those
         after it (since)

    python3 bench/pageloop_sim.py TRACE [--cores 2] [--ahead 6] [--tail S]
    python3 bench/pageloop_sim.py TRACE --timeline

--tail adds single-threaded seconds after the loop (the unique keys and
index builds `recon -v` prints), for a whole-load estimate.

--timeline reads what the run itself did instead: the trace's wall-clock
columns (each page's claim by a reader, converted, through the digest step,
insert start and end, nanoseconds from the reader's start) give, per
extract, its wall span, its CPU, the cores it kept busy and the inserting
thread's idle time between pages. On an idle machine, an extract whose CPU
over its span is well under 2 cores is where the loop leaves a core idle.
"""
import argparse


def load(path):
    pages = []
    with open(path) as f:
        for line in f:
            rel, rd, od, ins, by = line.split()[:5]
            pages.append((int(rd) * 1e-9, int(od) * 1e-9, int(ins) * 1e-9, int(by), rel.rsplit('/', 1)[0]))
    return pages


def replay(pages, policy, cores=2, ahead=6, ahead_bytes=96 << 20, readers=2, dt=2e-5):
    """Seconds from the first page to the last page inserted, and the seconds
    spent with 0, 1, 2, ... threads running."""
    n = len(pages)
    st = {'claimed': 0, 'taken': 0, 'ordered': 0, 'ordering': False, 'inflight': 0}
    converted, ready = set(), set()
    threads = [{'reader': True, 'task': None, 'after': None} for _ in range(readers)]
    threads.append({'reader': False, 'task': None})
    hist = [0.0] * (readers + 2)
    t = 0.0

    def order_next(h):
        j = st['ordered']
        if not st['ordering'] and j in converted:
            st['ordering'] = True
            h['task'] = ['order', j, pages[j][1]]
            return True
        return False

    def reader_next(h):
        after, h['after'] = h['after'], None
        if after is not None:
            if policy == 'turn':
                # wait for the page before this one, then take this one
                if st['ordered'] < after:
                    h['after'] = after
                    return False
                if st['ordered'] == after and order_next(h):
                    h['chain'] = False
                    return True
            elif order_next(h):
                h['chain'] = True
                return True
        if h.get('chain'):
            h['chain'] = False
            if order_next(h):
                h['chain'] = True
                return True
        i = st['claimed']
        if i >= n or i - st['taken'] >= ahead or (i > st['taken'] and st['inflight'] >= ahead_bytes):
            return False
        st['claimed'] = i + 1
        st['inflight'] += pages[i][3]
        h['task'] = ['read', i, pages[i][0]]
        return True

    while st['taken'] < n:
        changed = True
        while changed:
            changed = False
            for h in threads:
                if h['task'] is not None:
                    continue
                if h['reader']:
                    changed |= reader_next(h)
                elif st['taken'] in ready:
                    i = st['taken']
                    h['task'] = ['insert', i, pages[i][2]]
                    changed = True
        running = [h for h in threads if h['task'] is not None]
        if not running:
            raise SystemExit('replay stuck at page %d' % st['taken'])
        hist[len(running)] += dt
        rate = min(1.0, cores / len(running))
        t += dt
        for h in running:
            h['task'][2] -= dt * rate
            kind, i, left = h['task']
            if left > 0:
                continue
            h['task'] = None
            if kind == 'read':
                converted.add(i)
                h['after'] = i
            elif kind == 'order':
                st['ordering'] = False
                st['ordered'] = i + 1
                ready.add(i)
            else:
                st['taken'] = i + 1
                st['inflight'] -= pages[i][3]
    return t, hist


def timeline(path):
    """Per extract: wall span, CPU seconds by step, cores busy, inserting
    thread idle between its pages (from the run's own wall-clock stamps)."""
    ext, order, prev_end = {}, [], None
    with open(path) as f:
        for line in f:
            v = line.split()
            if len(v) < 10:
                raise SystemExit('%s: no wall-clock columns (a trace of an older recon)' % path)
            x = v[0].rsplit('/', 1)[0]
            rd, od, ins = (int(v[k]) * 1e-9 for k in (1, 2, 3))
            claim, ins0, ins1 = int(v[5]) * 1e-9, int(v[8]) * 1e-9, int(v[9]) * 1e-9
            if x not in ext:
                ext[x] = {'t0': claim, 't1': ins1, 'cpu': [0.0, 0.0, 0.0], 'idle': 0.0, 'pages': 0}
                order.append(x)
            e = ext[x]
            e['t0'], e['t1'] = min(e['t0'], claim), max(e['t1'], ins1)
            for k, c in enumerate((rd, od, ins)):
                e['cpu'][k] += c
            if prev_end is not None:
                e['idle'] += max(0.0, ins0 - prev_end)
            prev_end = ins1
            e['pages'] += 1
    print('%-34s %6s %5s %6s %6s %6s %6s %7s' % ('extract', 'pages', 'span', 'read', 'digest', 'insert', 'cores',
                                               'ins.idle'))
    for x in order:
        e = ext[x]
        span = max(e['t1'] - e['t0'], 1e-9)
        print('%-34s %6d %5.2f %6.2f %6.2f %6.2f %6.2f %7.2f' % (x, e['pages'], span, e['cpu'][0], e['cpu'][1],
                                                             e['cpu'][2], sum(e['cpu']) / span, e['idle']))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('trace')
    ap.add_argument('--cores', type=int, default=2)
    ap.add_argument('--ahead', type=int, default=6)
    ap.add_argument('--tail', type=float, default=0.0)
    ap.add_argument('--timeline', action='store_true')
    a = ap.parse_args()
    if a.timeline:
        timeline(a.trace)
        return
    pages = load(a.trace)
    cpu = [sum(p[k] for p in pages) for k in range(3)]
    print('%d pages; CPU s: read+convert %.2f, digests %.2f, inserts %.2f; all / %d cores = %.2f s' %
          (len(pages), cpu[0], cpu[1], cpu[2], a.cores, sum(cpu) / a.cores))
    for policy in ('turn', 'comb'):
        t, hist = replay(pages, policy, a.cores, a.ahead)
        print('%-4s page loop %.2f s, with the tail %.2f s; s with 0..3 threads running: %s' %
              (policy, t, t + a.tail, ' '.join('%.2f' % x for x in hist)))


if __name__ == '__main__':
    main()
