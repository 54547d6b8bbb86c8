adaptlab_component(dataset NAMES text_corpus SOURCES text_corpus.cpp)
