/*
 * The topic list of proto/topics.txt, compiled in.  Producing to a topic
 * outside it is refused: a typo would otherwise create a topic silently.
 */
#ifndef GL_TOPICS_H
#define GL_TOPICS_H

/* NULL-terminated; generated from proto/topics.txt. */
extern const char *const topics_all[];

/* 1 when name is one of the project's topics. */
int topics_known(const char *name);

#endif
