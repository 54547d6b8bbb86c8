adaptlab_component(method NAMES full SOURCES full.cpp)
