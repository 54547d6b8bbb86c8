adaptlab_component(method NAMES pyra SOURCES pyra.cpp)
