// The one gSOAP namespace table of this program (generated from all WSDLs in one run), defined
// beside the serializers so that every program linking them has it.
#include "soapH.h"
#include "edugate.nsmap"
