// SPDX-License-Identifier: GPL-2.0
/*
 * rwsem.c - the model's mmap_lock: sleeping reader/writer lock with writer
 * preference and downgrade (munmap: write, detach, downgrade, zap).
 */
#include <errno.h>
#include <stdlib.h>

#include "workloads/rwsem.h"

static void rwsem_lock(struct mm_rwsem *s)
{
	if (pthread_mutex_lock(&s->lock))
		abort();
}

static void rwsem_unlock(struct mm_rwsem *s)
{
	if (pthread_mutex_unlock(&s->lock))
		abort();
}

static void rwsem_wait(pthread_cond_t *c, struct mm_rwsem *s)
{
	if (pthread_cond_wait(c, &s->lock))
		abort();
}

int mm_rwsem_init(struct mm_rwsem *s)
{
	int ret;

	s->readers = s->writers_waiting = 0;
	s->writer = false;
	ret = pthread_mutex_init(&s->lock, NULL);
	if (ret)
		return -ret;
	ret = pthread_cond_init(&s->readers_ok, NULL);
	if (ret)
		goto err_mutex;
	ret = pthread_cond_init(&s->writer_ok, NULL);
	if (ret)
		goto err_readers;
	return 0;

err_readers:
	pthread_cond_destroy(&s->readers_ok);
err_mutex:
	pthread_mutex_destroy(&s->lock);
	return -ret;
}

void mm_rwsem_destroy(struct mm_rwsem *s)
{
	pthread_cond_destroy(&s->writer_ok);
	pthread_cond_destroy(&s->readers_ok);
	pthread_mutex_destroy(&s->lock);
}

void mm_rwsem_down_read(struct mm_rwsem *s)
{
	rwsem_lock(s);
	while (s->writer || s->writers_waiting)
		rwsem_wait(&s->readers_ok, s);
	s->readers++;
	rwsem_unlock(s);
}

bool mm_rwsem_down_read_trylock(struct mm_rwsem *s)
{
	bool taken;

	rwsem_lock(s);
	taken = !s->writer && !s->writers_waiting;
	if (taken)
		s->readers++;
	rwsem_unlock(s);
	return taken;
}

void mm_rwsem_up_read(struct mm_rwsem *s)
{
	rwsem_lock(s);
	if (--s->readers == 0 && s->writers_waiting)
		pthread_cond_signal(&s->writer_ok);
	rwsem_unlock(s);
}

void mm_rwsem_down_write(struct mm_rwsem *s)
{
	rwsem_lock(s);
	s->writers_waiting++;
	while (s->writer || s->readers)
		rwsem_wait(&s->writer_ok, s);
	s->writers_waiting--;
	s->writer = true;
	rwsem_unlock(s);
}

static void rwsem_wake_after_writer(struct mm_rwsem *s)
{
	if (s->writers_waiting)
		pthread_cond_signal(&s->writer_ok);
	else
		pthread_cond_broadcast(&s->readers_ok);
}

void mm_rwsem_up_write(struct mm_rwsem *s)
{
	rwsem_lock(s);
	s->writer = false;
	rwsem_wake_after_writer(s);
	rwsem_unlock(s);
}

void mm_rwsem_downgrade(struct mm_rwsem *s)
{
	rwsem_lock(s);
	s->writer = false;
	s->readers++;
	/* Readers only: a waiting writer must wait for our read hold anyway. */
	if (!s->writers_waiting)
		pthread_cond_broadcast(&s->readers_ok);
	rwsem_unlock(s);
}
