#include "op_host/core/message.h"

#include <qconv_generated/limits.h>

namespace qconv {

std::string FormatMessage(std::string_view tmpl, std::initializer_list<MessageField> fields) {
    std::string out;
    out.reserve(tmpl.size() + 32);
    for (size_t i = 0; i < tmpl.size(); ++i) {
        const char c = tmpl[i];
        if ((c == '{' || c == '}') && i + 1 < tmpl.size() && tmpl[i + 1] == c) {
            out += c;
            ++i;
            continue;
        }
        if (c == '{') {
            const size_t close = tmpl.find('}', i);
            if (close != std::string_view::npos) {
                const std::string_view name = tmpl.substr(i + 1, close - i - 1);
                const MessageField* hit = nullptr;
                for (const MessageField& f : fields) {
                    if (f.first == name) hit = &f;
                }
                if (hit != nullptr) {
                    out += hit->second;
                    i = close;
                    continue;
                }
            }
        }
        out += c;
    }
    return out;
}

std::string OutOfRangeMessage(std::string_view param, int64_t value, int64_t min, int64_t max) {
    return FormatMessage(limits::messages::kOutOfRange, {{"param", std::string(param)},
                                                         {"value", ToText(value)},
                                                         {"min", ToText(min)},
                                                         {"max", ToText(max)}});
}

}  // namespace qconv
