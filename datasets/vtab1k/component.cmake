adaptlab_component(dataset NAMES vtab1k SOURCES vtab1k.cpp)
