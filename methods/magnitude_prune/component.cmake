adaptlab_component(method NAMES magnitude_prune SOURCES magnitude_prune.cpp)
