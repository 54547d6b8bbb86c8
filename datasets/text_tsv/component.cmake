adaptlab_component(dataset NAMES text_tsv SOURCES text_tsv.cpp)
