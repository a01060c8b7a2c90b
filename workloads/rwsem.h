/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rwsem.h - the model's mmap_lock: a sleeping reader/writer lock with
 * writer preference and downgrade, as the kernel's rw_semaphore.
 */
#ifndef SNAP_RWSEM_H
#define SNAP_RWSEM_H

#include <pthread.h>
#include <stdbool.h>

struct mm_rwsem {
	pthread_mutex_t lock;
	pthread_cond_t readers_ok;
	pthread_cond_t writer_ok;
	unsigned int readers;		/* holders for read */
	unsigned int writers_waiting;
	bool writer;			/* held for write */
};

int mm_rwsem_init(struct mm_rwsem *s);
void mm_rwsem_destroy(struct mm_rwsem *s);
/* A waiting writer blocks new readers, so writers are not starved. */
void mm_rwsem_down_read(struct mm_rwsem *s);
/* Returns: true if taken for read without waiting. */
bool mm_rwsem_down_read_trylock(struct mm_rwsem *s);
void mm_rwsem_up_read(struct mm_rwsem *s);
void mm_rwsem_down_write(struct mm_rwsem *s);
void mm_rwsem_up_write(struct mm_rwsem *s);
/* Turn a write hold into a read hold without letting a writer in between. */
void mm_rwsem_downgrade(struct mm_rwsem *s);

#endif /* SNAP_RWSEM_H */
