/* A C header with nothing to port: the tool leaves it byte for byte. */
#ifndef CORPUS_PLAIN_H
#define CORPUS_PLAIN_H
#define CORPUS_NAME "boost::interprocess"
int corpus_plain(void);
#endif
