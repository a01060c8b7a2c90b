// SPDX-License-Identifier: GPL-2.0
/*
 * mirror.c - the generic mirror pass (the shape of dmirror_range_fault()
 * in lib/test_hmm.c): snapshot the CPU PTEs of a range, faulting pages in,
 * then commit them to the device under its lock if the strategy agrees.
 */
#include <errno.h>
#include <string.h>

#include "lib/clock.h"
#include "workloads/mm_internal.h"

/*
 * Snapshot [start, end) into @snap, faulting pages in.  The fault runs in a
 * mirror-fault scope: direct reclaim it enters does not block on notifiers.
 * Returns: 0, or -EBUSY when a page could not be made present (the caller
 * retries the pass, as hmm_range_fault() callers do).
 */
static int mm_snapshot(struct mm *mm, unsigned long start, unsigned long end,
		       bool write, uint64_t *snap, unsigned long *holes)
{
	unsigned long vpn;
	int ret;

	*holes = 0;
	for (vpn = start; vpn < end; vpn++) {
		uint64_t pte = atomic_load(&mm->pte[vpn]);
		bool need = !pte_present(pte) || (pte & PTE_PROTNONE) ||
			    (write && (pte & PTE_COW));

		if (need) {
			mm_current.in_mirror_fault = true;
			ret = mm_fault(mm, vpn, write);
			mm_current.in_mirror_fault = false;
			if (ret == -EFAULT) {
				snap[vpn - start] = 0;
				(*holes)++;
				continue;
			}
			if (ret)
				return -EBUSY;
			pte = atomic_load(&mm->pte[vpn]);
			if (!pte_present(pte) || (pte & PTE_PROTNONE))
				return -EBUSY;	/* taken away again */
		}
		snap[vpn - start] = pte;
	}
	return 0;
}

/*
 * Write the snapshot into the device.  Caller holds the device lock and
 * read_retry() said the snapshot is current.  A page already freed means
 * the strategy let a stale snapshot through.
 */
static void mm_commit(struct mm_mirror *mir, unsigned long start,
		      unsigned long end, const uint64_t *snap)
{
	struct mm *mm = mir->mm;
	unsigned long vpn;

	for (vpn = start; vpn < end; vpn++) {
		uint64_t d = snap[vpn - start] & ~(PTE_PROTNONE | PTE_SWAP);
		uint32_t gen;

		if (!pte_present(d))
			continue;
		/* seq_cst: pairs with the gen increment in mm_free_page(). */
		atomic_store(&mir->dpte[vpn], d);
		atomic_store_explicit(&mir->dpte_role[vpn], mm_current.role,
				      memory_order_relaxed);
		gen = atomic_load(&mm->page[pte_pfn(d)].gen);
		if (gen != pte_gen(d))
			mm_report(mm, mir, "stale snapshot committed: page already freed",
				  vpn, d, gen, true);
	}
}

int mm_mirror_pass(struct mm_mirror *mir, unsigned long start,
		   unsigned long end, const struct mm_pass_opts *o,
		   uint64_t *snap, struct mm_pass_result *res)
{
	const struct snap_ops *ops = mir->dom.ops;
	struct mm *mm = mir->mm;
	uint64_t t0 = now_ns(), deadline = o->deadline_ns ? t0 + o->deadline_ns : 0;
	unsigned int attempt = 0;
	struct snap_range r;
	bool locked;
	int ret;

	memset(res, 0, sizeof(*res));
	for (;;) {
		/* test_hmm/nouveau: one deadline over every attempt. */
		if (deadline && !o->deadline_on_fault_only &&
		    (res->retries || res->fault_retries) &&
		    now_ns() > deadline) {
			ret = -EBUSY;
			break;
		}
		r.start = start;
		r.end = end;
		r.attempt = attempt;
		/*
		 * mmap_lock for read around the fault, as the drivers take it
		 * around hmm_range_fault(); a range lock nests inside it, so
		 * a locked snapshot holds it from before read_begin() to after
		 * read_end() (snap_ops.locks).
		 */
		locked = snap_locks(&mir->dom, attempt++);
		if (locked)
			mm_rwsem_down_read(&mm->mmap_lock);
		ret = ops->read_begin(&mir->dom, &r);
		if (ret) {
			if (locked)
				mm_rwsem_up_read(&mm->mmap_lock);
			break;
		}
		if (!locked)
			mm_rwsem_down_read(&mm->mmap_lock);
		spin_ns(o->attempt_extra_ns + o->page_extra_ns * (end - start));
		ret = mm_snapshot(mm, start, end, o->write, snap, &res->holes);
		if (ret) {
			/*
			 * No memory, or the page taken away again: not a
			 * collision the strategy could have prevented, so
			 * counted apart from retries (hybrid bounds those).
			 */
			ops->read_end(&mir->dom, &r);
			mm_rwsem_up_read(&mm->mmap_lock);
			res->fault_retries++;
			/* RDMA ODP: the deadline only bounds failing faults. */
			if (deadline && o->deadline_on_fault_only &&
			    now_ns() > deadline)
				break;
			continue;
		}
		if (!locked)
			mm_rwsem_up_read(&mm->mmap_lock);
		spend_ns(mm_driver_time(mm, o->device_work_ns_per_page * (end - start)));
		if (o->after_snapshot)
			o->after_snapshot(o->after_snapshot_arg);

		mm_lock(&mir->lock);
		if (ops->read_retry(&mir->dom, &r)) {
			mm_unlock(&mir->lock);
			ops->read_end(&mir->dom, &r);
			if (locked)
				mm_rwsem_up_read(&mm->mmap_lock);
			res->retries++;
			continue;
		}
		mm_commit(mir, start, end, snap);
		mm_unlock(&mir->lock);
		ops->read_end(&mir->dom, &r);
		if (locked)
			mm_rwsem_up_read(&mm->mmap_lock);
		res->time_to_mirror_ns = now_ns() - t0;
		break;
	}
	res->deadline_miss = ret == -EBUSY;
	return ret;
}
