adaptlab_component(dataset NAMES synthetic SOURCES synthetic.cpp)
