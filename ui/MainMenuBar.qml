// The window's menu bar (File, View, Help). Every item calls the window's own action (the same
// functions the toolbar and the shortcuts call) and reads its state, so the menu, the toolbar and
// the keyboard always agree; the shortcuts themselves are the window's (Main.qml), shown here
// right-aligned beside each item.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tracemap.App

MenuBar {
    id: root
    // The window whose actions the items trigger (Main.qml: startTrace(), map, historyShown, …).
    required property ApplicationWindow mainWindow

    // A menu item with its shortcut right-aligned (a tab in the text is not laid out by Controls).
    component ShortcutMenuItem: MenuItem {
        id: menuItem
        property string shortcut: ""
        implicitWidth: Math.max(implicitBackgroundWidth + leftInset + rightInset,
                                implicitContentWidth + leftPadding + rightPadding)
        contentItem: RowLayout {
            spacing: 24
            opacity: menuItem.enabled ? 1 : 0.5
            Label {
                text: menuItem.text
                leftPadding: menuItem.checkable && menuItem.indicator ? menuItem.indicator.width + menuItem.spacing : 0
                Layout.fillWidth: true
            }
            Label { text: menuItem.shortcut; opacity: 0.7; visible: text.length > 0 }
        }
    }

    Menu {
        title: qsTr("&File")
        ShortcutMenuItem { text: qsTr("Trace"); shortcut: "Ctrl+T"; onTriggered: root.mainWindow.startTrace() }
        ShortcutMenuItem { text: qsTr("Watch"); shortcut: "Ctrl+W"; onTriggered: root.mainWindow.startWatch() }
        ShortcutMenuItem { text: root.mainWindow.watch.state === WatchController.Paused ? qsTr("Resume watch") : qsTr("Pause watch"); shortcut: "Ctrl+P"; enabled: root.mainWindow.watch.active; onTriggered: root.mainWindow.togglePause() }
        ShortcutMenuItem { text: qsTr("Reset watch statistics"); shortcut: "Ctrl+R"; enabled: root.mainWindow.watch.state !== WatchController.Idle; onTriggered: root.mainWindow.watch.reset() }
        ShortcutMenuItem { text: qsTr("Stop"); shortcut: "Esc"; enabled: root.mainWindow.controller.running || root.mainWindow.watch.active; onTriggered: root.mainWindow.stopTrace() }
        MenuSeparator {}
        ShortcutMenuItem { text: qsTr("Open…"); shortcut: "Ctrl+O"; onTriggered: root.mainWindow.openTraceFileDialog(true, DocumentController.TraceFileFormat) }
        ShortcutMenuItem { text: qsTr("Save as…"); shortcut: "Ctrl+Shift+S"; onTriggered: root.mainWindow.openTraceFileDialog(false, DocumentController.TraceFileFormat) }
        ShortcutMenuItem { objectName: "compareMenuItem"; text: qsTr("Compare with file…"); enabled: !root.mainWindow.controller.running; onTriggered: root.mainWindow.openCompareDialog() }
        Menu {
            title: qsTr("Export")
            ShortcutMenuItem { text: qsTr("PDF report…"); onTriggered: root.mainWindow.openTraceFileDialog(false, DocumentController.PdfReport) }
            ShortcutMenuItem { text: qsTr("SVG image…"); onTriggered: root.mainWindow.openTraceFileDialog(false, DocumentController.Svg) }
            ShortcutMenuItem { text: qsTr("GeoJSON…"); onTriggered: root.mainWindow.openTraceFileDialog(false, DocumentController.GeoJson) }
            ShortcutMenuItem { text: qsTr("KML (Google Earth)…"); onTriggered: root.mainWindow.openTraceFileDialog(false, DocumentController.Kml) }
            ShortcutMenuItem { text: qsTr("CSV table…"); onTriggered: root.mainWindow.openTraceFileDialog(false, DocumentController.Csv) }
        }
        ShortcutMenuItem { text: qsTr("Export image…"); shortcut: "Ctrl+S"; onTriggered: root.mainWindow.openExportDialog() }
        ShortcutMenuItem { text: qsTr("Copy image"); shortcut: "Ctrl+Shift+C"; onTriggered: root.mainWindow.copyImage() }
        ShortcutMenuItem { text: qsTr("Copy hop table"); shortcut: "Ctrl+C"; onTriggered: root.mainWindow.copyTable() }
        MenuSeparator {}
        ShortcutMenuItem { text: qsTr("Open vantage results…"); enabled: root.mainWindow.vantage !== null; onTriggered: root.mainWindow.openVantage(true) }
        ShortcutMenuItem { text: qsTr("Vantage points…"); enabled: root.mainWindow.vantage !== null; onTriggered: root.mainWindow.openVantage(false) }
        MenuSeparator {}
        ShortcutMenuItem { text: qsTr("Settings…"); onTriggered: root.mainWindow.openSettings() }
        MenuSeparator {}
        ShortcutMenuItem { text: qsTr("Quit"); shortcut: "Ctrl+Q"; onTriggered: Qt.quit() }
    }
    Menu {
        title: qsTr("&View")
        ShortcutMenuItem { text: qsTr("Fit route"); shortcut: "Ctrl+F"; onTriggered: root.mainWindow.map.fitRoute() }
        ShortcutMenuItem {
            objectName: "historyMenuItem"
            text: qsTr("History")
            shortcut: "Ctrl+H"
            checkable: true
            enabled: root.mainWindow.history !== null
            checked: root.mainWindow.historyShown
            onToggled: root.mainWindow.historyShown = checked
        }
        ShortcutMenuItem {
            objectName: "labelsMenuItem"
            text: qsTr("Labels beside markers")
            checkable: true
            checked: root.mainWindow.map.labelsVisible
            onToggled: root.mainWindow.map.labelsVisible = checked
        }
        ShortcutMenuItem {
            objectName: "tilesMenuItem"
            // Offline: unchecked and disabled, and it says why.
            text: root.mainWindow.settings.offline ? qsTr("Map tiles (off while offline)") : qsTr("Map tiles (OpenStreetMap)")
            checkable: true
            checked: root.mainWindow.map.tilesEnabled && !root.mainWindow.settings.offline
            enabled: !root.mainWindow.settings.offline
            onToggled: root.mainWindow.map.tilesEnabled = checked
        }
    }
    Menu {
        title: qsTr("&Help")
        ShortcutMenuItem { text: qsTr("About tracemap"); onTriggered: root.mainWindow.showAbout() }
    }
}
