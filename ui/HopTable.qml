// The hop table: a TableView over HopTableModel (TTL, address, reverse name, AS, place, loss,
// RTTs, note) with a header whose columns are resized by dragging their right edge and sorted
// by a click, every cell's full text as a tooltip, and a detail pane for the selected hop
// (the whole note, all responders). currentIndex is a HopListModel row, as the map uses.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tracemap.App

Pane {
    id: root

    property HopListModel model
    // The selected hop as a HopListModel row (-1: none), whatever the sort order.
    property int currentIndex: -1
    readonly property int count: table.rows
    readonly property alias view: table

    padding: 0

    // Column widths, changed by dragging the header's column edges. Until the user drags one,
    // a narrow table (the History panel open beside it) takes width from the text columns
    // (reverse name, AS, place, note) down to a floor before the numbers scroll out of view;
    // the last column takes whatever width is left over.
    property var columnWidths: [48, 140, 200, 150, 150, 56, 70, 70, 70, 70, 320]
    readonly property var columnFloors: [48, 130, 100, 80, 90, 56, 70, 70, 70, 70, 80]
    property bool userSized: false
    function fittedWidths(available) {
        const sum = (list) => list.reduce((a, b) => a + b, 0)
        const wanted = sum(columnWidths), least = sum(columnFloors)
        if (userSized || available >= wanted)
            return columnWidths
        const t = Math.max(0, (available - least) / (wanted - least))
        return columnWidths.map((w, i) => Math.floor(columnFloors[i] + (w - columnFloors[i]) * t))
    }
    // The selection's row in the (sorted) table; re-evaluated when rows move.
    property int layoutSerial: 0
    readonly property int currentRow: {
        const dependsOn = [layoutSerial, table.rows, tableModel.sortColumn, tableModel.sortOrder]
        return currentIndex >= 0 && model && dependsOn.length > 0 ? tableModel.rowForSource(currentIndex) : -1
    }

    // The map's RTT scale: green below 20 ms, yellow around 80 ms, red from 200 ms.
    function rttColor(ms) {
        if (ms < 0) return "#9e9e9e"
        if (ms < 20) return "#2e9d4f"
        if (ms < 80) return "#c9a400"
        if (ms < 200) return "#e07b00"
        return "#c62828"
    }
    function selectRow(row) {
        currentIndex = row >= 0 ? tableModel.sourceRowAt(row) : -1
        table.forceActiveFocus()
    }

    HopTableModel {
        id: tableModel
        hops: root.model
        onLayoutChanged: root.layoutSerial++
    }

    SplitView {
        anchors.fill: parent
        orientation: Qt.Horizontal

        Item {
            SplitView.fillWidth: true
            SplitView.minimumWidth: 300

            HorizontalHeaderView {
                id: header
                objectName: "hopHeader"
                syncView: table
                anchors { left: parent.left; right: parent.right; top: parent.top }
                clip: true
                delegate: Rectangle {
                    id: headerCell
                    required property int column
                    required property string display
                    implicitWidth: root.fittedWidths(table.width)[column]
                    implicitHeight: 28
                    color: Qt.darker(root.palette.window, 1.06)
                    border.width: 0
                    Label {
                        anchors { fill: parent; leftMargin: 6; rightMargin: 10 }
                        verticalAlignment: Text.AlignVCenter
                        elide: Text.ElideRight
                        font.bold: true
                        text: headerCell.display + (tableModel.sortColumn === headerCell.column
                                                    ? (tableModel.sortOrder === Qt.AscendingOrder ? " ▲" : " ▼") : "")
                    }
                    TapHandler { onTapped: tableModel.sortBy(headerCell.column) }
                    // Drag the right edge to resize the column.
                    Rectangle {
                        anchors { right: parent.right; top: parent.top; bottom: parent.bottom }
                        width: 1
                        color: root.palette.mid
                    }
                    MouseArea {
                        anchors { right: parent.right; top: parent.top; bottom: parent.bottom }
                        width: 8
                        cursorShape: Qt.SplitHCursor
                        property real startX: 0
                        property real startWidth: 0
                        onPressed: (mouse) => {
                            // From here on the widths are the user's, starting from those shown.
                            root.columnWidths = root.fittedWidths(table.width).slice()
                            root.userSized = true
                            startX = mapToItem(header, mouse.x, 0).x
                            startWidth = root.columnWidths[headerCell.column]
                        }
                        onPositionChanged: (mouse) => {
                            const widths = root.columnWidths.slice()
                            widths[headerCell.column] = Math.max(32, startWidth + mapToItem(header, mouse.x, 0).x - startX)
                            root.columnWidths = widths
                            table.forceLayout()
                        }
                    }
                }
            }

            Label {
                anchors.centerIn: table
                visible: table.rows === 0
                text: qsTr("No hops yet")
                opacity: 0.5
            }

            TableView {
                id: table
                objectName: "hopList"
                anchors { left: parent.left; right: parent.right; top: header.bottom; bottom: parent.bottom }
                clip: true
                focus: true
                model: tableModel
                boundsBehavior: Flickable.StopAtBounds
                columnWidthProvider: (column) => {
                    const widths = root.fittedWidths(table.width)
                    return column === widths.length - 1
                           ? Math.max(widths[column], table.width - widths.slice(0, -1).reduce((a, b) => a + b, 0))
                           : widths[column]
                }
                onWidthChanged: forceLayout()
                ScrollBar.vertical: ScrollBar { policy: table.contentHeight > table.height ? ScrollBar.AlwaysOn : ScrollBar.AsNeeded }
                ScrollBar.horizontal: ScrollBar {}
                Keys.onUpPressed: root.selectRow(Math.max(0, root.currentRow - 1))
                Keys.onDownPressed: root.selectRow(Math.min(table.rows - 1, root.currentRow + 1))
                onRowsChanged: if (root.currentIndex >= 0 && root.currentRow < 0) root.currentIndex = -1


                delegate: Rectangle {
                    id: cell
                    required property int row
                    required property int column
                    required property string display
                    required property string toolTip
                    required property double avgRttMs
                    required property bool hasLocation
                    required property bool numeric
                    readonly property bool selected: row === root.currentRow
                    implicitHeight: 26
                    color: selected ? root.palette.highlight
                         : (row % 2 ? Qt.darker(root.palette.base, 1.03) : root.palette.base)

                    // RTT colour mark in the TTL column: filled = on the map, hollow = no place;
                    // ringed so it stays visible on the selection colour.
                    Rectangle {
                        visible: cell.column === 0
                        x: 5
                        anchors.verticalCenter: parent.verticalCenter
                        width: 9; height: 9; radius: 4.5
                        color: cell.hasLocation ? root.rttColor(cell.avgRttMs) : (cell.selected ? root.palette.highlight : "transparent")
                        border.width: cell.hasLocation ? 1 : 2
                        border.color: cell.hasLocation ? (cell.selected ? "white" : Qt.darker(color, 1.3)) : root.rttColor(cell.avgRttMs)
                    }
                    // Plain Text, not Label: cells are created while a trace streams in.
                    Text {
                        id: cellText
                        anchors { fill: parent; leftMargin: cell.column === 0 ? 18 : 6; rightMargin: 6 }
                        verticalAlignment: Text.AlignVCenter
                        horizontalAlignment: cell.numeric ? Text.AlignRight : Text.AlignLeft
                        elide: Text.ElideRight
                        text: cell.display
                        font.family: cell.column === 1 || (cell.column >= 5 && cell.column <= 9) ? "monospace" : Qt.application.font.family
                        font.pixelSize: 12
                        opacity: cell.column === 10 && !cell.selected ? 0.8 : 1.0
                        color: cell.selected ? root.palette.highlightedText : root.palette.text
                    }
                    HoverHandler { id: hover }
                    ToolTip.visible: hover.hovered && cellText.truncated
                    ToolTip.delay: 400
                    ToolTip.text: cell.toolTip
                    TapHandler { onTapped: root.selectRow(cell.row) }
                }
            }
        }

        // The selected hop in full: nothing cut, nothing hidden.
        ScrollView {
            id: details
            objectName: "hopDetails"
            SplitView.preferredWidth: 280
            SplitView.minimumWidth: 160
            visible: root.currentIndex >= 0
            contentWidth: availableWidth
            Label {
                objectName: "hopDetailsText"
                width: details.availableWidth
                padding: 10
                wrapMode: Text.Wrap
                textFormat: Text.StyledText
                text: {
                    if (root.currentIndex < 0 || !root.model || root.currentIndex >= table.rows)
                        return ""
                    const h = root.model.get(root.currentIndex)
                    let lines = ["<b>" + qsTr("Hop %1").arg(h.ttl) + "</b>", h.address || "*"]
                    if (h.responders && h.responders.length > 1)
                        lines.push(qsTr("Responders: %1").arg(h.responders.join(", ")))
                    if (h.hostname) lines.push(h.hostname)
                    if (h.asn > 0) lines.push("AS" + h.asn + (h.asName ? " " + h.asName : ""))
                    if (h.placeName) lines.push(h.placeName + (h.accuracyKm > 0 ? " (±" + Math.round(h.accuracyKm) + " km)" : ""))
                    if (h.provider) lines.push("<i>" + h.provider + "</i>")
                    if (h.hintRule) lines.push(qsTr("Placed by %1").arg(h.hintRule))
                    if (h.reason) lines.push(h.reason)
                    return lines.join("<br>")
                }
            }
        }
    }
}
